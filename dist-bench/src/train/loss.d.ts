/**
 * The loss a model is scored by, in training, evaluation and prediction alike (HF's
 * Trainer.compute_loss): the model's own, or HF's label-smoothed cross-entropy over the
 * logits when label_smoothing_factor is set (the trainer, not the model, smooths).
 */
import { type Tensor } from "../tensor/index.js";
import type { ModelOutput } from "../models/modeling_utils.js";
import type { TrainableModel } from "./model_contract.js";
/**
 * One forward pass and its loss: `loss` is undefined when the batch has no labels or the model
 * computes none. With label smoothing the labels are kept from the model, as HF's label
 * smoother does, and the smoothed cross-entropy is taken over its logits (shifted for causal LMs).
 */
export declare function computeLoss(model: TrainableModel, batch: Record<string, Tensor>, labelSmoothing: number): {
    loss: Tensor | undefined;
    outputs: ModelOutput;
};
/** The loss a training step minimises; a batch the model computes no loss for is an error. */
export declare function trainingLoss(model: TrainableModel, batch: Record<string, Tensor>, labelSmoothing: number): Tensor;
/** A decoder-only language model (declared, or forwarded by a PEFT wrapper): its logits at position t predict the label at t + 1. */
export declare function isCausalLm(model: TrainableModel): boolean;
