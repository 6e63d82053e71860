/**
 * Guards against a run that goes numerically wrong without failing: weights that became
 * NaN/Inf must never reach a checkpoint (a NaN checkpoint that a resume or a user picks up is
 * worse than none), and a loss that grows by orders of magnitude gets a warning naming the
 * likely cause instead of a run that exits 0 with garbage.
 */
import type { TrainableModel } from "./model_contract.js";
import type { TrainingArguments } from "./training_args.js";

/** Where the run's loss total lives in trainer_state.json's stateful_callbacks. */
export const LOSS_TOTAL_KEY = "TunelabTrainLoss";

export interface LossTotal {
  sum: number;
  steps: number;
}

/** Thrown before a checkpoint would be written with NaN/Inf weights. */
export class NonFiniteWeightsError extends Error {
  constructor(readonly step: number, readonly parameter: string, readonly value: number) {
    super(
      `[trainer] the weights are not finite at step ${step} ("${parameter}" holds ${value}): the optimizer step diverged, so no checkpoint was written ` +
        "(the checkpoints already saved are intact). Lower learning_rate (it is likely far too high), set max_grad_norm, or check the data",
    );
    this.name = "NonFiniteWeightsError";
  }
}

/** Throws NonFiniteWeightsError naming the first trainable parameter holding NaN or ±Inf. */
export function checkWeightsFinite(model: Pick<TrainableModel, "namedParameters">, step: number): void {
  for (const [name, p] of model.namedParameters()) {
    if (!p.requiresGrad) continue; // frozen weights are what was loaded; only training changes weights
    const values = p.dtype === "float32" ? (p.data as Float32Array) : p.toFloat32Array();
    for (let i = 0; i < values.length; i++) {
      // x - x is 0 for every finite x and NaN for NaN and ±Inf: one test per element.
      if (values[i] - values[i] !== 0) throw new NonFiniteWeightsError(step, name, values[i]);
    }
  }
}

/**
 * Watches the step losses for divergence: warns once when the loss grows 100-fold over its
 * lowest value AND ends above where training started (a converged loss of 1e-3 that spikes to
 * 0.15 late in a run is noise on a small batch, not divergence).
 */
export class DivergenceWatch {
  private lowest: { step: number; loss: number } | null = null;
  private first: number | null = null;
  private warned = false;

  constructor(private readonly args: Pick<TrainingArguments, "learning_rate" | "max_grad_norm">, private readonly factor = 100) {}

  /** The warning to print for this step's loss, once per run; null otherwise. */
  observe(step: number, loss: number): string | null {
    if (!Number.isFinite(loss)) return null;
    this.first ??= loss;
    if (!this.lowest || loss < this.lowest.loss) this.lowest = { step, loss };
    const floor = Math.max(this.lowest.loss, 1e-3); // a loss near 0 rising to 0.1 is not divergence
    if (this.warned || loss < floor * this.factor || loss <= this.first) return null;
    this.warned = true;
    const lr = this.args.learning_rate;
    const cause = lr >= 1e-2
      ? `learning_rate ${lr} is very high for fine-tuning (typical: 1e-5 to 5e-4); lower it`
      : !(this.args.max_grad_norm > 0)
        ? "gradient clipping is off (max_grad_norm); set max_grad_norm: 1.0 or lower learning_rate"
        : `learning_rate ${lr} may still be too high, or the data has extreme examples; lower learning_rate or check the data`;
    return (
      `[trainer] warning: the loss grew from ${this.lowest.loss.toPrecision(3)} (step ${this.lowest.step}) to ${loss.toPrecision(3)} (step ${step}), ` +
      `by orders of magnitude: training is diverging. Likely cause: ${cause}`
    );
  }
}
