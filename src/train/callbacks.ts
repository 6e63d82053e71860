/**
 * Callbacks with Hugging Face's event names, camelCased (on_step_end → onStepEnd). Each
 * receives (args, state, control, extras) and may set control flags; the handler calls
 * every callback in order. EarlyStoppingCallback is built in; progress and the JSONL log
 * live in progress.ts.
 */
import type { TrainingArguments } from "./training_args.js";
import type { TrainerControl, TrainerState } from "./trainer_state.js";

export interface CallbackExtras {
  /** onLog: the values just logged. */
  logs?: Record<string, number>;
  /** onEvaluate / onPredict: the metrics (with the eval_ prefix). */
  metrics?: Record<string, number>;
  model?: unknown;
  /** onSave: the checkpoint folder written. */
  checkpoint?: string;
  /** onSubstepEnd: the micro-batch's input tokens (input_ids.numel(), padding included). */
  num_tokens?: number;
  /** onStepEnd: this step's loss and learning rate, for live progress displays. */
  live?: { loss: number; learning_rate: number };
}

export type CallbackEvent =
  | "onInitEnd" | "onTrainBegin" | "onTrainEnd" | "onEpochBegin" | "onEpochEnd" | "onStepBegin" | "onSubstepEnd"
  | "onPreOptimizerStep" | "onOptimizerStep" | "onStepEnd" | "onEvaluate" | "onPredict" | "onSave" | "onLog";

export type TrainerCallback = {
  [E in CallbackEvent]?: (args: TrainingArguments, state: TrainerState, control: TrainerControl, extras: CallbackExtras) => void;
} & {
  /** State saved in trainer_state.json's stateful_callbacks and restored on resume. */
  stateDict?(): Record<string, unknown>;
  loadStateDict?(state: Record<string, unknown>): void;
};

export class CallbackHandler {
  constructor(readonly callbacks: TrainerCallback[] = []) {}

  add(cb: TrainerCallback): void {
    this.callbacks.push(cb);
  }

  fire(event: CallbackEvent, args: TrainingArguments, state: TrainerState, control: TrainerControl, extras: CallbackExtras = {}): void {
    for (const cb of this.callbacks) cb[event]?.(args, state, control, extras);
  }
}

export interface EarlyStoppingOptions {
  early_stopping_patience?: number;
  early_stopping_threshold?: number;
}

/**
 * Stops training when metric_for_best_model has not improved by more than the threshold
 * for `early_stopping_patience` evaluations in a row (HF's EarlyStoppingCallback). Needs
 * metric_for_best_model and evaluations; with load_best_model_at_end the best weights are
 * restored after the stop.
 */
export class EarlyStoppingCallback implements TrainerCallback {
  readonly patience: number;
  readonly threshold: number;
  patienceCounter = 0;
  private best: number | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.patience = opts.early_stopping_patience ?? 1;
    this.threshold = opts.early_stopping_threshold ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 1) throw new RangeError(`[EarlyStoppingCallback] early_stopping_patience must be a positive integer, got ${this.patience}`);
    if (!(this.threshold >= 0)) throw new RangeError(`[EarlyStoppingCallback] early_stopping_threshold must be >= 0, got ${this.threshold}`);
  }

  onTrainBegin(args: TrainingArguments): void {
    if (args.eval_strategy === "no") throw new Error("[EarlyStoppingCallback] needs evaluations: set eval_strategy to \"steps\" or \"epoch\"");
    if (!args.metric_for_best_model) throw new Error("[EarlyStoppingCallback] needs metric_for_best_model (e.g. \"eval_loss\" or \"accuracy\")");
  }

  onEvaluate(args: TrainingArguments, _state: TrainerState, control: TrainerControl, extras: CallbackExtras): void {
    const name = metricKey(args.metric_for_best_model!);
    const value = extras.metrics?.[name];
    if (value === undefined) {
      throw new Error(`[EarlyStoppingCallback] metric_for_best_model "${args.metric_for_best_model}" is not among the evaluation metrics (${Object.keys(extras.metrics ?? {}).join(", ")})`);
    }
    const better = args.greater_is_better ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    if (this.best === null || (better(value, this.best) && Math.abs(value - this.best) > this.threshold)) {
      this.best = value;
      this.patienceCounter = 0;
    } else {
      this.patienceCounter++;
    }
    if (this.patienceCounter >= this.patience) control.should_training_stop = true;
  }

  stateDict(): Record<string, unknown> {
    return { patience_counter: this.patienceCounter, best: this.best };
  }

  loadStateDict(s: Record<string, unknown>): void {
    this.patienceCounter = Number(s.patience_counter ?? 0);
    this.best = typeof s.best === "number" ? s.best : null;
  }
}

/** "accuracy" → "eval_accuracy"; names already prefixed stay. */
export function metricKey(name: string): string {
  return name.startsWith("eval_") ? name : `eval_${name}`;
}
