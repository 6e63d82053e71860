import type { TrainerCallback, CallbackExtras } from "./callbacks.js";
import type { TrainingArguments } from "./training_args.js";
import type { TrainerControl, TrainerState } from "./trainer_state.js";
export declare const TRAINER_LOG_NAME = "trainer_log.jsonl";
export declare function formatDuration(seconds: number): string;
export declare function formatNumber(v: number): string;
export interface ProgressOptions {
    stream?: NodeJS.WriteStream | {
        write(s: string): unknown;
        isTTY?: boolean;
        columns?: number;
    };
    /** Force the live bar (true) or plain lines (false); default: whether the stream is a TTY. */
    live?: boolean;
}
export declare class ProgressCallback implements TrainerCallback {
    private start;
    private startStep;
    private readonly stream;
    private readonly live;
    private lastDraw;
    private barShown;
    constructor(opts?: ProgressOptions);
    onTrainBegin(_args: TrainingArguments, state: TrainerState): void;
    private rate;
    onStepEnd(_args: TrainingArguments, state: TrainerState, _c: TrainerControl, extras: CallbackExtras): void;
    private printLine;
    onLog(_args: TrainingArguments, state: TrainerState, _c: TrainerControl, extras: CallbackExtras): void;
    onTrainEnd(): void;
}
/** Appends every logged dict (with step and epoch) to output_dir/trainer_log.jsonl. */
export declare class JsonlLoggerCallback implements TrainerCallback {
    private file;
    onTrainBegin(args: TrainingArguments, state: TrainerState): void;
    onLog(args: TrainingArguments, state: TrainerState, _c: TrainerControl, extras: CallbackExtras): void;
}
