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
    /** onStepEnd: this step's loss and learning rate, for live progress displays. */
    live?: {
        loss: number;
        learning_rate: number;
    };
}
export type CallbackEvent = "onInitEnd" | "onTrainBegin" | "onTrainEnd" | "onEpochBegin" | "onEpochEnd" | "onStepBegin" | "onSubstepEnd" | "onPreOptimizerStep" | "onOptimizerStep" | "onStepEnd" | "onEvaluate" | "onPredict" | "onSave" | "onLog";
export type TrainerCallback = {
    [E in CallbackEvent]?: (args: TrainingArguments, state: TrainerState, control: TrainerControl, extras: CallbackExtras) => void;
} & {
    /** State saved in trainer_state.json's stateful_callbacks and restored on resume. */
    stateDict?(): Record<string, unknown>;
    loadStateDict?(state: Record<string, unknown>): void;
};
export declare class CallbackHandler {
    readonly callbacks: TrainerCallback[];
    constructor(callbacks?: TrainerCallback[]);
    add(cb: TrainerCallback): void;
    fire(event: CallbackEvent, args: TrainingArguments, state: TrainerState, control: TrainerControl, extras?: CallbackExtras): void;
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
export declare class EarlyStoppingCallback implements TrainerCallback {
    readonly patience: number;
    readonly threshold: number;
    patienceCounter: number;
    private best;
    constructor(opts?: EarlyStoppingOptions);
    onTrainBegin(args: TrainingArguments): void;
    onEvaluate(args: TrainingArguments, _state: TrainerState, control: TrainerControl, extras: CallbackExtras): void;
    stateDict(): Record<string, unknown>;
    loadStateDict(s: Record<string, unknown>): void;
}
/** "accuracy" → "eval_accuracy"; names already prefixed stay. */
export declare function metricKey(name: string): string;
