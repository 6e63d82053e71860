/**
 * The losses task heads compute from labels, as transformers' heads do: sequence
 * classification (regression / single-label / multi-label, decided like HF), token
 * classification, masked LM and extractive question answering.
 */
import { type Tensor } from "../tensor/index.js";
import type { PretrainedConfig } from "./configuration_utils.js";
import { type IdsLike } from "./modeling_utils.js";
export type ProblemType = "regression" | "single_label_classification" | "multi_label_classification";
/**
 * HF's rule: one label is regression; integer labels are single-label classification;
 * anything else (float multi-hot rows) is multi-label. The first decision is stored in
 * config.problem_type, as transformers does.
 */
export declare function resolveProblemType(config: PretrainedConfig, labels: IdsLike): ProblemType;
/** mean((x - y)^2) */
export declare function mseLoss(x: Tensor, y: Tensor): Tensor;
/**
 * BCEWithLogitsLoss (mean): softplus(x) - x y, with softplus(x) = logsumexp([0, x]), stable for
 * large |x| and with the exact gradient sigmoid(x) - y everywhere (the max(x, 0) + log(1 + e^-|x|)
 * form takes the subgradient 0 of both kinks at x = 0 and gets -y there instead of 0.5 - y).
 */
export declare function bceWithLogits(x: Tensor, y: Tensor): Tensor;
/** The loss of a sequence classifier's logits (B, num_labels). */
export declare function sequenceClassificationLoss(config: PretrainedConfig, logits: Tensor, labels: IdsLike): Tensor;
/** Cross-entropy over every position (logits (..., V), labels (...), -100 ignored): token classification, masked LM. */
export declare function tokenLoss(logits: Tensor, labels: IdsLike): Tensor;
/**
 * Extractive QA: positions outside the sequence are clamped to T and ignored; the loss is
 * the mean of the start and end cross-entropies.
 */
export declare function questionAnsweringLoss(startLogits: Tensor, endLogits: Tensor, startPositions: IdsLike, endPositions: IdsLike): Tensor;
