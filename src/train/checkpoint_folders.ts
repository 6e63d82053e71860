/**
 * Checkpoints as transformers writes them: `checkpoint-N/` holding the model (or adapter),
 * `optimizer.safetensors` + `optimizer.json` (tensors and numbers of the optimizer state),
 * `scheduler.json`, `rng_state.json`, `trainer_state.json` and `training_args.json`.
 * A checkpoint is written into a temporary folder and renamed into place, so a process
 * killed mid-save leaves the previous checkpoints intact and never a half-written one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Tensor, getRngState, setRngState, type RngState } from "../tensor/index.js";
import { readJsonFile, writeJsonAtomic } from "../io/json.js";
import { loadTensors, saveTensors } from "../io/tensors.js";
import type { Optimizer, OptimizerStateDict, LambdaLR, SchedulerStateDict } from "../optim/index.js";
import { TrainerState, TRAINER_STATE_NAME } from "./trainer_state.js";
import { fsyncDirectory } from "./output_dir.js";

export const PREFIX_CHECKPOINT_DIR = "checkpoint";
const TMP_PREFIX = ".tmp-checkpoint-";

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
  model: { savePretrained(dir: string): void };
  tokenizer?: { savePretrained(dir: string): unknown } | null;
  optimizer: Optimizer<{ lr: number }>;
  scheduler: LambdaLR;
  state: TrainerState;
  args: Record<string, unknown>;
  data: DataOrderState;
  saveOnlyModel?: boolean;
}

/** Writes checkpoint-<global_step> under outputDir atomically; returns its path. */
export function saveCheckpoint(outputDir: string, parts: CheckpointParts): string {
  const name = `${PREFIX_CHECKPOINT_DIR}-${parts.state.global_step}`;
  const final = path.join(outputDir, name);
  const tmp = path.join(outputDir, `${TMP_PREFIX}${parts.state.global_step}-${process.pid}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  parts.model.savePretrained(tmp);
  parts.tokenizer?.savePretrained(tmp);
  if (!parts.saveOnlyModel) {
    saveOptimizer(tmp, parts.optimizer.stateDict());
    writeJsonAtomic(path.join(tmp, "scheduler.json"), parts.scheduler.stateDict());
    const rng: RngStateFile = { tensor: getRngState(), data: parts.data };
    writeJsonAtomic(path.join(tmp, "rng_state.json"), rng);
  }
  // trainer_state.json records where the checkpoint will live, as HF's does.
  parts.state.save(tmp);
  writeJsonAtomic(path.join(tmp, "training_args.json"), parts.args);
  writeManifest(tmp);
  fsyncDirectory(tmp);
  if (fs.existsSync(final)) {
    // Saving the same step twice (e.g. at the end of training): swap, then drop the old one.
    const old = `${tmp}.old`;
    fs.renameSync(final, old);
    fs.renameSync(tmp, final);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(tmp, final);
  }
  // The rename is durable only once the folder holding the new entry is synced.
  fsyncDirectory(outputDir);
  return final;
}

/** Lists every file of a checkpoint with its size; written last, so its presence means "complete". */
export const MANIFEST_NAME = "checkpoint_manifest.json";

function writeManifest(dir: string): void {
  const files: Record<string, number> = {};
  const walk = (sub: string) => {
    for (const e of fs.readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else files[rel] = fs.statSync(path.join(dir, rel)).size;
    }
  };
  walk("");
  writeJsonAtomic(path.join(dir, MANIFEST_NAME), { files });
}

/**
 * A checkpoint is complete when every file its manifest lists is present with its size; one
 * without a manifest (older tunelab, or written by transformers) needs trainer_state.json and weights.
 */
export function isCompleteCheckpoint(dir: string): boolean {
  const manifest = path.join(dir, MANIFEST_NAME);
  if (!fs.existsSync(manifest)) {
    if (!fs.existsSync(path.join(dir, TRAINER_STATE_NAME))) return false;
    return fs.readdirSync(dir).some((n) => /^(model|adapter_model)(-\d+-of-\d+)?\.safetensors(\.index\.json)?$/.test(n));
  }
  let listed: Record<string, number>;
  try {
    listed = (JSON.parse(fs.readFileSync(manifest, "utf8")) as { files: Record<string, number> }).files;
  } catch {
    return false;
  }
  return Object.entries(listed).every(([rel, size]) => {
    try {
      return fs.statSync(path.join(dir, rel)).size === size;
    } catch {
      return false;
    }
  });
}

function saveOptimizer(dir: string, sd: OptimizerStateDict): void {
  const tensors = new Map<string, Tensor>();
  const numbers: Record<string, Record<string, number>> = {};
  for (const [idx, s] of Object.entries(sd.state)) {
    for (const [k, v] of Object.entries(s)) {
      if (v instanceof Tensor) tensors.set(`state.${idx}.${k}`, v);
      else (numbers[idx] ??= {})[k] = v;
    }
  }
  saveTensors(path.join(dir, "optimizer.safetensors"), tensors, { format: "pt" });
  writeJsonAtomic(path.join(dir, "optimizer.json"), { state: numbers, param_groups: sd.param_groups });
}

export function loadOptimizerState(dir: string): OptimizerStateDict {
  const meta = readJsonFile<{ state: Record<string, Record<string, number>>; param_groups: OptimizerStateDict["param_groups"] }>(path.join(dir, "optimizer.json"), { where: "trainer" });
  const state: OptimizerStateDict["state"] = {};
  for (const [idx, nums] of Object.entries(meta.state)) state[idx] = { ...nums };
  for (const [key, t] of loadTensors(path.join(dir, "optimizer.safetensors"))) {
    const m = /^state\.(\d+)\.(.+)$/.exec(key);
    if (!m) throw new Error(`[trainer] ${dir}/optimizer.safetensors: unexpected tensor "${key}"`);
    (state[m[1]] ??= {})[m[2]] = t;
  }
  return { state, param_groups: meta.param_groups };
}

export function loadSchedulerState(dir: string): SchedulerStateDict {
  return readJsonFile<SchedulerStateDict>(path.join(dir, "scheduler.json"), { where: "trainer" });
}

export function loadRngState(dir: string): RngStateFile {
  return readJsonFile<RngStateFile>(path.join(dir, "rng_state.json"), { where: "trainer" });
}

export function restoreRngState(file: RngStateFile): void {
  setRngState(file.tensor);
}

/** Complete checkpoints (see isCompleteCheckpoint) sorted by step. */
export function listCheckpoints(outputDir: string): string[] {
  if (!fs.existsSync(outputDir)) return [];
  return fs
    .readdirSync(outputDir)
    .filter((n) => new RegExp(`^${PREFIX_CHECKPOINT_DIR}-\\d+$`).test(n))
    .map((n) => path.join(outputDir, n))
    .filter((d) => isCompleteCheckpoint(d))
    .sort((a, b) => stepOf(a) - stepOf(b));
}

export function stepOf(checkpoint: string): number {
  return Number(/(\d+)$/.exec(path.basename(checkpoint))?.[1] ?? -1);
}

/** HF's get_last_checkpoint: the newest complete checkpoint, or null. */
export function getLastCheckpoint(outputDir: string): string | null {
  const all = listCheckpoints(outputDir);
  return all.length ? all[all.length - 1] : null;
}

/** Leftovers of saves that were interrupted (process killed mid-save). */
export function removeStaleTemporaries(outputDir: string): void {
  if (!fs.existsSync(outputDir)) return;
  for (const n of fs.readdirSync(outputDir)) if (n.startsWith(TMP_PREFIX)) fs.rmSync(path.join(outputDir, n), { recursive: true, force: true });
}

/**
 * Deletes the oldest checkpoints beyond save_total_limit, never the best one (HF's
 * _rotate_checkpoints: the best is kept and counts toward the limit; with a limit of 1 and
 * a best that is not the newest, both stay so training can still resume from the newest).
 */
export function rotateCheckpoints(outputDir: string, limit: number | null, best: string | null): string[] {
  if (!limit || limit <= 0) return [];
  const all = listCheckpoints(outputDir);
  const bestResolved = best ? path.resolve(best) : null;
  let keep = limit;
  const newest = all[all.length - 1];
  if (bestResolved && limit === 1 && newest && path.resolve(newest) !== bestResolved) keep = 2;
  const deletable = all.filter((d) => path.resolve(d) !== bestResolved);
  const excess = all.length - keep;
  const removed: string[] = [];
  for (const d of deletable) {
    if (removed.length >= excess) break;
    if (d === newest) continue;
    fs.rmSync(d, { recursive: true, force: true });
    removed.push(d);
  }
  return removed;
}
