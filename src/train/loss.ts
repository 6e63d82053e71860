/**
 * The loss a training step minimises: the model's own, or HF's label-smoothed cross-entropy
 * over the logits when label_smoothing_factor is set (the trainer, not the model, smooths).
 */
import { crossEntropy, type Tensor } from "../tensor/index.js";
import type { TrainableModel } from "./model_contract.js";

export function trainingLoss(model: TrainableModel, batch: Record<string, Tensor>, labelSmoothing: number): Tensor {
  if (labelSmoothing > 0 && batch.labels && batch.labels.dtype === "int32") {
    const { labels, ...inputs } = batch;
    const out = model.forward(inputs);
    let logits = out.logits;
    let target = labels;
    if (logits.ndim === 3 && isCausalLm(model)) {
      // Causal LM: position t predicts token t+1.
      const T = logits.shape[1];
      logits = logits.slice(1, 0, T - 1);
      target = labels.slice(1, 1, T);
    }
    return crossEntropy(logits.contiguous(), target.contiguous(), { label_smoothing: labelSmoothing });
  }
  const out = model.forward(batch);
  if (!out.loss) {
    throw new Error("[trainer] the model returned no loss: the batch has no labels, or the model does not compute one; check the task's label column and collator");
  }
  return out.loss;
}

/** A decoder-only language model: its logits at position t predict the label at t + 1. */
export function isCausalLm(model: TrainableModel): boolean {
  return /CausalLM|LMHead/.test(model.constructor.name);
}
