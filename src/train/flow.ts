/**
 * When things happen in a run, as HF's Trainer and DefaultFlowCallback decide it: how many
 * optimizer steps and epochs a run has, and at which steps and epoch ends the trainer logs,
 * evaluates and saves. Callbacks may set more flags; these are the defaults.
 */
import { numBatches } from "./batching.js";
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
export function runLength(args: TrainingArguments, numExamples: number | null, worldSize = 1): RunLength {
  const bs = args.per_device_train_batch_size * worldSize;
  // A stream's length is unknown: passes repeat until max_steps (HF sets num_train_epochs to sys.maxsize).
  const batchesPerEpoch = numExamples === null ? Infinity : numBatches(numExamples, bs, args.dataloader_drop_last);
  if (batchesPerEpoch === 0) {
    throw new Error(`[trainer] ${numExamples} examples make no full batch of ${bs} with dataloader_drop_last; lower per_device_train_batch_size or set dataloader_drop_last: false`);
  }
  const stepsPerEpoch = Math.max(Math.ceil(batchesPerEpoch / args.gradient_accumulation_steps), 1);
  const maxSteps = args.max_steps > 0 ? args.max_steps : Math.ceil(args.num_train_epochs * stepsPerEpoch);
  const numEpochs = numExamples === null ? Number.MAX_SAFE_INTEGER : args.max_steps > 0 ? Math.ceil(maxSteps / stepsPerEpoch) : Math.ceil(args.num_train_epochs);
  return { stepsPerEpoch, maxSteps, numEpochs };
}

/** logging_steps, eval_steps and save_steps as step counts (eval_steps defaults to logging_steps). */
export function stepIntervals(args: TrainingArguments, maxSteps: number): Pick<TrainerState, "logging_steps" | "eval_steps" | "save_steps"> {
  return {
    logging_steps: resolveSteps(args.logging_steps, maxSteps),
    eval_steps: resolveSteps(args.eval_steps ?? args.logging_steps, maxSteps),
    save_steps: resolveSteps(args.save_steps, maxSteps),
  };
}

/** Steps given as a fraction of the run (0 < x < 1) become a count, as HF does. */
function resolveSteps(value: number | null, maxSteps: number): number {
  if (value === null) return 0;
  return value < 1 ? Math.ceil(maxSteps * value) : value;
}

/** HF's DefaultFlowCallback decisions for one optimizer step; stepsSinceLog > 0 means there is a loss to log. */
export function decideStepActions(args: TrainingArguments, state: TrainerState, control: TrainerControl, step: number, maxSteps: number, stepsSinceLog: number): void {
  if (args.logging_strategy === "steps" && ((state.logging_steps > 0 && step % state.logging_steps === 0) || (args.logging_first_step && step === 1))) control.should_log = true;
  if (args.eval_strategy === "steps" && state.eval_steps > 0 && step % state.eval_steps === 0 && step >= args.eval_delay) control.should_evaluate = true;
  if (args.save_strategy === "steps" && state.save_steps > 0 && step % state.save_steps === 0) control.should_save = true;
  if (step >= maxSteps) {
    control.should_training_stop = true;
    if (args.logging_strategy === "steps" && stepsSinceLog > 0) control.should_log = true;
    if (args.eval_strategy === "steps") control.should_evaluate = true;
    if (args.save_strategy === "steps") control.should_save = true;
  }
}

/** As HF's DefaultFlowCallback: epoch strategies act at every epoch end, the last one included. */
export function decideEpochEndActions(args: TrainingArguments, control: TrainerControl): void {
  if (args.logging_strategy === "epoch") control.should_log = true;
  if (args.eval_strategy === "epoch") control.should_evaluate = true;
  if (args.save_strategy === "epoch") control.should_save = true;
}
