import type { LambdaLR, Optimizer } from "../optim/index.js";
import type { DataPosition } from "./batching.js";
import type { TrainerCallback } from "./callbacks.js";
import { type CheckpointParts } from "./checkpoint.js";
import type { TrainingArguments } from "./training_args.js";
import { TrainerState } from "./trainer_state.js";
/** What a checkpoint is taken from and restored into. */
export interface TrainerParts {
    model: CheckpointParts["model"];
    tokenizer: CheckpointParts["tokenizer"];
    optimizer: Optimizer<{
        lr: number;
    }>;
    scheduler: LambdaLR;
    state: TrainerState;
    args: TrainingArguments;
    callbacks: TrainerCallback[];
    /** Examples per optimizer step over all ranks (per device × ranks × accumulation). */
    globalBatchSize: number;
}
/** The folder to resume from (true: the newest complete checkpoint in outputDir), or null for a fresh run. */
export declare function resolveResumeCheckpoint(value: string | boolean | null | undefined, outputDir: string): string | null;
/** Writes checkpoint-<global_step> (recording it as the best when `isBest`) and rotates old ones; returns its path. */
export declare function saveTrainerCheckpoint(p: TrainerParts, data: DataPosition, opts: {
    isBest: boolean;
    streaming: boolean;
    write?: boolean;
    extraState?: Record<string, unknown>;
}): string;
/** Restores optimizer, scheduler, trainer state, callbacks and RNG from dir; returns where in the data to continue. */
export declare function restoreTrainerCheckpoint(p: TrainerParts, dir: string, opts: {
    stepsPerEpoch: number;
    streaming: boolean;
    quiet: boolean;
}): DataPosition;
