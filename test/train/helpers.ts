// A small, fast training setup for the trainer tests: the demo tokenizer and data the
// repository ships, and the shipped tiny BERT (with dropout, so RNG state matters).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { loadDataset } from "../../src/data/readers.js";
import { AutoModelForSequenceClassification } from "../../src/models/auto.js";
import { manualSeed } from "../../src/tensor/index.js";
import { Trainer, type TrainerOptions, type TrainingArgumentsInit } from "../../src/train/index.js";
import { prepareTask, type PreparedTask } from "../../src/pipelines/index.js";
import { REPO_ROOT } from "../helpers/paths.js";

export const DEMO_DIR = path.join(REPO_ROOT, "assets", "demo");

export function tempDir(prefix = "tunelab-train-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

let cached: PreparedTask | null = null;

export async function demoTask(): Promise<PreparedTask> {
  if (cached) return cached;
  const tok = await AutoTokenizer.fromPretrained(path.join(DEMO_DIR, "tokenizer"));
  const splits = await loadDataset(path.join(DEMO_DIR, "data"));
  cached = prepareTask("text_classification", { train: splits.train, validation: splits.validation.take(64) }, tok, { max_length: 32 });
  return cached;
}

export async function demoTrainer(args: TrainingArgumentsInit, extra: Partial<TrainerOptions> = {}): Promise<Trainer> {
  const task = await demoTask();
  manualSeed(1234);
  const model = await AutoModelForSequenceClassification.fromPretrained(path.join(DEMO_DIR, "model"), { config: task.config, quiet: true });
  return new Trainer({
    model, args: { per_device_train_batch_size: 16, learning_rate: 5e-4, seed: 7, ...args },
    train_dataset: task.splits.train, eval_dataset: task.splits.validation,
    data_collator: task.collator, compute_metrics: task.compute_metrics, quiet: true, ...extra,
  });
}

/** The (step, loss) pairs of a log history. */
export function losses(history: Record<string, number>[]): [number, number][] {
  return history.filter((e) => "loss" in e).map((e) => [e.step, e.loss]);
}
