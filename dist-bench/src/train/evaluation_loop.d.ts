/**
 * The evaluation / prediction loop: batches in dataset order under noGrad, each inside a
 * scope so memory stays flat; what leaves a batch is plain numbers (loss, logits rows,
 * labels). Loss is averaged per example, as HF's Trainer does; for language models the
 * token-weighted mean is kept as well, so perplexity is exp of the mean loss per scored token
 * whatever the batch lengths.
 */
import { type Tensor } from "../tensor/index.js";
import type { Dataset } from "../data/dataset.js";
import type { DataCollator } from "../data/collators.js";
import type { TrainableModel } from "./model_contract.js";
export interface EvalLoopOptions {
    model: TrainableModel;
    dataset: Dataset;
    collate: DataCollator;
    batchSize: number;
    /** Collect per-example predictions (logits or what preprocess makes of them). */
    collectPredictions: boolean;
    /** Dataset columns handed to compute_metrics as `inputs` (QA contexts and spans). */
    inputColumns?: string[];
    /** HF's preprocess_logits_for_metrics: shrink logits (e.g. argmax) before they leave the batch. */
    preprocessLogits?: (logits: Tensor, labels: Tensor | undefined) => Tensor;
    /** label_smoothing_factor: the loss is computed exactly as in training (loss.ts). */
    labelSmoothing?: number;
    /**
     * Language models: also weight each batch's loss by the tokens it scored, labels != -100
     * ("shifted": a causal LM scores labels[:, 1:]; "all": masked LM and seq2seq).
     */
    countTokens?: "shifted" | "all";
}
export interface EvalLoopResult {
    loss: number | null;
    predictions: unknown[];
    label_ids: unknown[];
    inputs?: Record<string, unknown>[];
    numExamples: number;
    runtime: number;
    /** With countTokens: the summed per-token loss and the number of scored tokens. */
    tokenLoss?: {
        sum: number;
        count: number;
    };
}
export declare function evaluationLoop(o: EvalLoopOptions): EvalLoopResult;
