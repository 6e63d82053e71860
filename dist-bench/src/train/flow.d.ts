import type { TrainingArguments } from "./training_args.js";
import type { TrainerControl, TrainerState } from "./trainer_state.js";
export interface RunLength {
    /** Optimizer steps per epoch; Infinity for a stream, whose length is unknown. */
    stepsPerEpoch: number;
    maxSteps: number;
    numEpochs: number;
}
/**
 * Steps and epochs of a run over numExamples training examples (null: a stream); with data
 * parallelism a micro-batch is per_device_train_batch_size on each of worldSize ranks.
 */
export declare function runLength(args: TrainingArguments, numExamples: number | null, worldSize?: number): RunLength;
/** logging_steps, eval_steps and save_steps as step counts (eval_steps defaults to logging_steps). */
export declare function stepIntervals(args: TrainingArguments, maxSteps: number): Pick<TrainerState, "logging_steps" | "eval_steps" | "save_steps">;
/** HF's DefaultFlowCallback decisions for one optimizer step; stepsSinceLog > 0 means there is a loss to log. */
export declare function decideStepActions(args: TrainingArguments, state: TrainerState, control: TrainerControl, step: number, maxSteps: number, stepsSinceLog: number): void;
/** As HF's DefaultFlowCallback: epoch strategies act at every epoch end, the last one included. */
export declare function decideEpochEndActions(args: TrainingArguments, control: TrainerControl): void;
