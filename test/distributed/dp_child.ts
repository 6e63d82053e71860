// One rank of a data-parallel test run (launched by mpirun, or alone as the single-process
// reference): trains the shipped tiny BERT with dropout off as the JSON in TL_DP_SPEC says and
// writes its log history and trainable weights to <result>.rank<r>.json.
import * as fs from "node:fs";
import * as path from "node:path";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { loadDataset } from "../../src/data/readers.js";
import { IterableDataset } from "../../src/data/stream.js";
import { AutoModelForSequenceClassification } from "../../src/models/auto.js";
import { getPeftModel } from "../../src/peft/index.js";
import { manualSeed } from "../../src/tensor/index.js";
import { Trainer, type TrainableModel } from "../../src/train/index.js";
import { prepareTask } from "../../src/pipelines/index.js";
import { rank } from "../../src/distributed/index.js";
import { REPO_ROOT } from "../helpers/paths.js";

interface Spec {
  method: "full" | "lora";
  batch: number;
  ga?: number;
  max_steps: number;
  output_dir: string;
  result: string;
  save_steps?: number;
  resume?: string;
  eval?: boolean;
  /** Evaluate and save every 3 steps and load the best checkpoint at the end. */
  best?: boolean;
  /** Train from a stream (IterableDataset) of the same rows instead of the in-memory dataset. */
  stream?: boolean;
  /** ddp_bucket_cap_mb (small: several buckets even for the tiny model). */
  bucket_mb?: number;
}

const spec = JSON.parse(process.env.TL_DP_SPEC ?? "{}") as Spec;
const demo = path.join(REPO_ROOT, "assets", "demo");
const tok = await AutoTokenizer.fromPretrained(path.join(demo, "tokenizer"));
const splits = await loadDataset(path.join(demo, "data"));
const task = prepareTask("text_classification", { train: splits.train, validation: splits.validation.take(50) }, tok, { max_length: 32 });
manualSeed(1234);
let model: TrainableModel = await AutoModelForSequenceClassification.fromPretrained(path.join(demo, "model"), {
  config: { ...task.config, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, classifier_dropout: 0 }, quiet: true,
});
if (spec.method === "lora") {
  model = getPeftModel(model as never, { peft_type: "LORA", task_type: "SEQ_CLS", r: 4, lora_alpha: 8, lora_dropout: 0, target_modules: ["query", "value"] }) as unknown as TrainableModel;
}
const trainer = new Trainer({
  model,
  args: {
    output_dir: spec.output_dir, per_device_train_batch_size: spec.batch, gradient_accumulation_steps: spec.ga ?? 1,
    max_steps: spec.max_steps, learning_rate: 5e-3, seed: 7, logging_steps: 1, save_steps: spec.save_steps ?? 1000,
    eval_strategy: spec.eval || spec.best ? "steps" : "no", eval_steps: 3, per_device_eval_batch_size: 8,
    ...(spec.bucket_mb ? { ddp_bucket_cap_mb: spec.bucket_mb } : {}),
    ...(spec.best ? { load_best_model_at_end: true, metric_for_best_model: "accuracy", save_steps: 3 } : {}),
  },
  train_dataset: spec.stream ? IterableDataset.fromList([...task.splits.train.rows]) : task.splits.train, eval_dataset: task.splits.validation,
  data_collator: task.collator, compute_metrics: task.compute_metrics, quiet: true,
});
await trainer.train({ resume_from_checkpoint: spec.resume ?? null });
const weights = Object.fromEntries([...model.namedParameters()].filter(([, p]) => p.requiresGrad).map(([k, p]) => [k, Array.from(p.f32())]));
fs.writeFileSync(`${spec.result}.rank${rank()}.json`, JSON.stringify({ history: trainer.state.log_history, weights, best: trainer.state.best_model_checkpoint,
  buckets: trainer.dataParallel ? { count: trainer.dataParallel.numBuckets, ...trainer.dataParallel.started } : null }));
