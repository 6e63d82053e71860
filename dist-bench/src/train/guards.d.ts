/**
 * Guards against a run that goes numerically wrong without failing: weights that became
 * NaN/Inf must never reach a checkpoint (a NaN checkpoint that a resume or a user picks up is
 * worse than none), and a loss that grows by orders of magnitude gets a warning naming the
 * likely cause instead of a run that exits 0 with garbage.
 */
import type { TrainableModel } from "./model_contract.js";
import type { TrainingArguments } from "./training_args.js";
/** Where the run's loss total lives in trainer_state.json's stateful_callbacks. */
export declare const LOSS_TOTAL_KEY = "TunelabTrainLoss";
export interface LossTotal {
    sum: number;
    steps: number;
}
/** Thrown before a checkpoint would be written with NaN/Inf weights. */
export declare class NonFiniteWeightsError extends Error {
    readonly step: number;
    readonly parameter: string;
    readonly value: number;
    constructor(step: number, parameter: string, value: number);
}
/** Throws NonFiniteWeightsError naming the first trainable parameter holding NaN or ±Inf. */
export declare function checkWeightsFinite(model: Pick<TrainableModel, "namedParameters">, step: number): void;
/** Watches the step losses for divergence: warns once when the loss grows 100-fold over its lowest value. */
export declare class DivergenceWatch {
    private readonly args;
    private readonly factor;
    private lowest;
    private warned;
    constructor(args: Pick<TrainingArguments, "learning_rate" | "max_grad_norm">, factor?: number);
    /** The warning to print for this step's loss, once per run; null otherwise. */
    observe(step: number, loss: number): string | null;
}
