import { type RngState } from "../tensor/index.js";
import type { Optimizer, OptimizerStateDict, LambdaLR, SchedulerStateDict } from "../optim/index.js";
import { TrainerState } from "./trainer_state.js";
export declare const PREFIX_CHECKPOINT_DIR = "checkpoint";
export interface DataOrderState {
    /** The epoch being trained and how many micro-batches of it were consumed. */
    epoch: number;
    batches_in_epoch: number;
    seed: number;
    /** A streamed train_dataset: examples of the epoch consumed, skipped on resume. */
    examples_in_epoch?: number;
    /** Examples per optimizer step over all ranks; a resume must keep it (absent in older checkpoints). */
    global_batch_size?: number;
}
export interface RngStateFile {
    tensor: RngState;
    data: DataOrderState;
}
export interface CheckpointParts {
    model: {
        savePretrained(dir: string): void;
    };
    tokenizer?: {
        savePretrained(dir: string): unknown;
    } | null;
    optimizer: Optimizer<{
        lr: number;
    }>;
    scheduler: LambdaLR;
    state: TrainerState;
    args: Record<string, unknown>;
    data: DataOrderState;
    saveOnlyModel?: boolean;
}
/** Writes checkpoint-<global_step> under outputDir atomically; returns its path. */
export declare function saveCheckpoint(outputDir: string, parts: CheckpointParts): string;
/** Lists every file of a checkpoint with its size; written last, so its presence means "complete". */
export declare const MANIFEST_NAME = "checkpoint_manifest.json";
/**
 * A checkpoint is complete when every file its manifest lists is present with its size; one
 * without a manifest (older tunelab, or written by transformers) needs trainer_state.json and weights.
 */
export declare function isCompleteCheckpoint(dir: string): boolean;
export declare function loadOptimizerState(dir: string): OptimizerStateDict;
export declare function loadSchedulerState(dir: string): SchedulerStateDict;
export declare function loadRngState(dir: string): RngStateFile;
export declare function restoreRngState(file: RngStateFile): void;
/** Complete checkpoints (see isCompleteCheckpoint) sorted by step. */
export declare function listCheckpoints(outputDir: string): string[];
export declare function stepOf(checkpoint: string): number;
/** HF's get_last_checkpoint: the newest complete checkpoint, or null. */
export declare function getLastCheckpoint(outputDir: string): string | null;
/** Leftovers of saves that were interrupted (process killed mid-save). */
export declare function removeStaleTemporaries(outputDir: string): void;
/**
 * Deletes the oldest checkpoints beyond save_total_limit, never the best one (HF's
 * _rotate_checkpoints: the best is kept and counts toward the limit; with a limit of 1 and
 * a best that is not the newest, both stay so training can still resume from the newest).
 */
export declare function rotateCheckpoints(outputDir: string, limit: number | null, best: string | null): string[];
