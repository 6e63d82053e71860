/**
 * The Trainer's side of checkpoints (checkpoint_folders.ts reads and writes the files): what a save
 * gathers beside the weights (trainer state, callback state, where in the data the run is)
 * and what a resume puts back. Weights are loaded before the optimizer is built, so this
 * restores the rest: optimizer, scheduler, trainer state, callbacks, RNG and data position.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LambdaLR, Optimizer } from "../optim/index.js";
import type { DataPosition } from "./batching.js";
import type { TrainerCallback } from "./callbacks.js";
import {
  getLastCheckpoint, PREFIX_CHECKPOINT_DIR, loadOptimizerState, loadRngState, loadSchedulerState, restoreRngState, rotateCheckpoints, saveCheckpoint, type CheckpointParts,
} from "./checkpoint_folders.js";
import type { TrainingArguments } from "./training_args.js";
import { TrainerState } from "./trainer_state.js";

/** What a checkpoint is taken from and restored into. */
export interface TrainerParts {
  model: CheckpointParts["model"];
  tokenizer: CheckpointParts["tokenizer"];
  optimizer: Optimizer<{ lr: number }>;
  scheduler: LambdaLR;
  state: TrainerState;
  args: TrainingArguments;
  callbacks: TrainerCallback[];
  /** Examples per optimizer step over all ranks (per device × ranks × accumulation). */
  globalBatchSize: number;
}

/** The folder to resume from (true: the newest complete checkpoint in outputDir), or null for a fresh run. */
export function resolveResumeCheckpoint(value: string | boolean | null | undefined, outputDir: string): string | null {
  if (value === true) {
    const last = getLastCheckpoint(outputDir);
    if (!last) throw new Error(`[trainer] resume_from_checkpoint is true but ${outputDir} holds no complete checkpoint-N folder; train once without resuming, or pass a checkpoint folder`);
    return last;
  }
  if (typeof value !== "string" || value === "") return null;
  if (!fs.existsSync(value)) throw new Error(`[trainer] resume_from_checkpoint: "${value}" does not exist; pass a checkpoint-N folder, or true for the newest one in output_dir`);
  return value;
}

/** Writes checkpoint-<global_step> (recording it as the best when `isBest`) and rotates old ones; returns its path. */
export function saveTrainerCheckpoint(p: TrainerParts, data: DataPosition, opts: { isBest: boolean; streaming: boolean; write?: boolean; extraState?: Record<string, unknown> }): string {
  const { args, state } = p;
  if (opts.isBest) state.best_model_checkpoint = path.join(args.output_dir, `${PREFIX_CHECKPOINT_DIR}-${state.global_step}`);
  // Data parallel: only rank 0 writes; the others record the same state.
  if (opts.write === false) return path.join(args.output_dir, `${PREFIX_CHECKPOINT_DIR}-${state.global_step}`);
  state.stateful_callbacks = {
    ...opts.extraState,
    ...Object.fromEntries(p.callbacks.map((cb, i) => [callbackStateKey(cb, i), cb.stateDict?.()]).filter(([, v]) => v !== undefined)),
  };
  const written = saveCheckpoint(args.output_dir, {
    model: p.model,
    tokenizer: p.tokenizer,
    optimizer: p.optimizer,
    scheduler: p.scheduler,
    state,
    args: args.toDict(),
    data: {
      epoch: data.epoch, batches_in_epoch: data.batchesInEpoch, seed: args.data_seed ?? args.seed, global_batch_size: p.globalBatchSize,
      ...(opts.streaming ? { examples_in_epoch: data.examplesInEpoch ?? 0 } : {}),
    },
    saveOnlyModel: args.save_only_model,
  });
  rotateCheckpoints(args.output_dir, args.save_total_limit, state.best_model_checkpoint);
  return written;
}

/** Restores optimizer, scheduler, trainer state, callbacks and RNG from dir; returns where in the data to continue. */
export function restoreTrainerCheckpoint(
  p: TrainerParts, dir: string, opts: { stepsPerEpoch: number; streaming: boolean; quiet: boolean },
): DataPosition {
  if (!fs.existsSync(path.join(dir, "optimizer.json"))) {
    throw new Error(`[trainer] ${dir} holds no optimizer state (saved with save_only_model?); it cannot be resumed from, only loaded as a model`);
  }
  p.optimizer.loadStateDict(loadOptimizerState(dir));
  p.scheduler.loadStateDict(loadSchedulerState(dir));
  const saved = TrainerState.load(dir);
  for (const key of ["global_step", "epoch", "log_history", "best_metric", "best_global_step", "best_model_checkpoint", "total_flos", "num_input_tokens_seen", "stateful_callbacks"] as const) {
    (p.state as unknown as Record<string, unknown>)[key] = saved[key];
  }
  const cbState = saved.stateful_callbacks ?? {};
  p.callbacks.forEach((cb, i) => {
    const s = cbState[callbackStateKey(cb, i)];
    if (s && cb.loadStateDict) cb.loadStateDict(s as Record<string, unknown>);
  });
  const rng = loadRngState(dir);
  const savedBatch = rng.data.global_batch_size;
  if (savedBatch !== undefined && savedBatch !== p.globalBatchSize) {
    throw new Error(
      `[trainer] ${dir} was trained with ${savedBatch} examples per optimizer step but this run takes ${p.globalBatchSize} ` +
        "(per_device_train_batch_size × ranks × gradient_accumulation_steps); to continue the same sample order with another number of ranks, " +
        `keep the product at ${savedBatch} (e.g. 2 ranks × 8 resumes on 1 rank as per_device_train_batch_size 16, or 8 with gradient_accumulation_steps 2)`,
    );
  }
  restoreRngState(rng);
  const step = p.state.global_step;
  if (opts.streaming) {
    // A stream cannot be indexed: replay the pass the checkpoint was in and drop what it had consumed.
    const examples = rng.data.examples_in_epoch;
    if (examples === undefined) throw new Error(`[trainer] ${dir} was saved from an in-memory train_dataset (no examples_in_epoch in rng_state.json); resume it with the same kind of dataset`);
    const at = { epoch: rng.data.epoch, batchesInEpoch: Math.max(rng.data.batches_in_epoch, 0), examplesInEpoch: examples };
    if (!opts.quiet) console.error(`[trainer] resuming from ${dir}: step ${step}, epoch ${at.epoch}, skipping ${examples} streamed examples`);
    return at;
  }
  const epoch = Math.floor(step / opts.stepsPerEpoch);
  const batchesToSkip = (step % opts.stepsPerEpoch) * p.args.gradient_accumulation_steps;
  console.error(`[trainer] resuming from ${dir}: step ${step}, epoch ${epoch}, skipping ${batchesToSkip} batches`);
  return { epoch, batchesInEpoch: batchesToSkip };
}

/** A callback's key in trainer_state.json's stateful_callbacks: class name and position. */
function callbackStateKey(cb: TrainerCallback, index: number): string {
  return `${cb.constructor.name}_${index}`;
}
