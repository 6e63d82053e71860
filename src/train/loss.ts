/**
 * The loss a model is scored by, in training, evaluation and prediction alike (HF's
 * Trainer.compute_loss): the model's own, or HF's label-smoothed cross-entropy over the
 * logits when label_smoothing_factor is set (the trainer, not the model, smooths).
 */
import { crossEntropy, type Tensor } from "../tensor/index.js";
import type { ModelOutput } from "../models/modeling_utils.js";
import type { TrainableModel } from "./model_contract.js";

/**
 * One forward pass and its loss: `loss` is undefined when the batch has no labels or the model
 * computes none. With label smoothing the labels are kept from the model, as HF's label
 * smoother does, and the smoothed cross-entropy is taken over its logits (shifted for causal LMs).
 */
export function computeLoss(model: TrainableModel, batch: Record<string, Tensor>, labelSmoothing: number): { loss: Tensor | undefined; outputs: ModelOutput } {
  if (labelSmoothing > 0 && batch.labels && batch.labels.dtype === "int32") {
    const { labels, ...inputs } = batch;
    const outputs = model.forward(inputs);
    let logits = outputs.logits;
    let target = labels;
    if (logits.ndim === 3 && isCausalLm(model)) {
      // Causal LM: position t predicts token t+1.
      const T = logits.shape[1];
      logits = logits.slice(1, 0, T - 1);
      target = labels.slice(1, 1, T);
    }
    return { loss: crossEntropy(logits.contiguous(), target.contiguous(), { label_smoothing: labelSmoothing }), outputs };
  }
  const outputs = model.forward(batch);
  return { loss: outputs.loss, outputs };
}

/** The loss a training step minimises; a batch the model computes no loss for is an error. */
export function trainingLoss(model: TrainableModel, batch: Record<string, Tensor>, labelSmoothing: number): Tensor {
  const { loss } = computeLoss(model, batch, labelSmoothing);
  if (!loss) {
    throw new Error("[trainer] the model returned no loss: the batch has no labels, or the model does not compute one; check the task's label column and collator");
  }
  return loss;
}

/** A decoder-only language model (declared, or forwarded by a PEFT wrapper): its logits at position t predict the label at t + 1. */
export function isCausalLm(model: TrainableModel): boolean {
  return model.taskKind === "causal-lm";
}
