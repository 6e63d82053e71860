/**
 * What `tunelab train` leaves in a run folder beside the weights and checkpoints, for
 * reports and for repeating the run: run_config.yaml (the config as resolved: absolute
 * paths, defaults filled, ready for `tunelab train`), run_info.json (model, method, task,
 * parameter counts, saved weights size, the validation confusion matrix for single-label
 * classifiers) and trainer_state.json (HF's trainer.save_state()).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { writeFileAtomic, writeJsonAtomic } from "../io/json.js";
import { confusionMatrix } from "../eval/confusion_matrix.js";
import { argmaxOf } from "../eval/compute_metrics.js";
import { quantizedWeightCount } from "../train/run_stats.js";
import { RUN_CONFIG_NAME, RUN_INFO_NAME, type RunInfo } from "../report/run_data.js";
import type { RunConfig } from "./config.js";
import type { Run as BuiltRun } from "../pipelines/run.js";

/** The config as a YAML-ready dict `tunelab train` accepts (paths absolute, so it runs from anywhere). */
export function resolvedConfigDict(cfg: RunConfig, trainingOverrides: Record<string, unknown> = {}): Record<string, unknown> {
  const model = Object.fromEntries(Object.entries(cfg.model).filter(([, v]) => v !== undefined));
  const out: Record<string, unknown> = {
    model,
    ...(cfg.tokenizer ? { tokenizer: cfg.tokenizer } : {}),
    task: { type: cfg.task, ...cfg.taskOptions },
    dataset: Object.fromEntries(Object.entries(cfg.dataset).filter(([, v]) => v !== undefined)),
    method: cfg.method,
  };
  if (Object.keys(cfg.peft).length) out.peft = cfg.peft;
  if (cfg.early_stopping) out.early_stopping = cfg.early_stopping;
  out.training = { ...cfg.training, ...trainingOverrides };
  return out;
}

export function writeResolvedConfig(file: string, cfg: RunConfig, trainingOverrides: Record<string, unknown> = {}, header = ""): void {
  writeFileAtomic(file, header + stringify(resolvedConfigDict(cfg, trainingOverrides)));
}

/** The file holding the trained weights that `savePretrained` wrote, and its size (all shards). */
export function savedWeights(dir: string): { file: string; bytes: number } | null {
  for (const name of ["adapter_model.safetensors", "model.safetensors"]) {
    const f = path.join(dir, name);
    if (fs.existsSync(f)) return { file: name, bytes: fs.statSync(f).size };
  }
  const shards = fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => /^model-\d+-of-\d+\.safetensors$/.test(n)) : [];
  if (shards.length) return { file: "model.safetensors.index.json", bytes: shards.reduce((n, s) => n + fs.statSync(path.join(dir, s)).size, 0) };
  return null;
}

/**
 * The validation confusion matrix of a single-label text classifier (undefined for other
 * tasks). Under data parallelism prediction is collective: every rank calls this.
 */
export function validationConfusionMatrix(run: BuiltRun, cfg: RunConfig): RunInfo["confusion_matrix"] {
  const validation = run.prepared.splits.validation;
  const config = (run.model.config ?? {}) as { problem_type?: unknown; id2label?: Record<string, string> };
  if (cfg.task !== "text_classification" || !validation?.length) return undefined;
  if (config.problem_type === "regression" || config.problem_type === "multi_label_classification" || !config.id2label) return undefined;
  const labels = Object.keys(config.id2label).sort((a, b) => Number(a) - Number(b)).map((k) => config.id2label![k]);
  const { predictions, label_ids } = run.trainer.predict(validation, { metric_key_prefix: "confusion" });
  if (!label_ids.length) return undefined;
  const predicted = (predictions as number[][]).map((logits) => argmaxOf(logits));
  return { split: "validation", labels, matrix: confusionMatrix(predicted, label_ids as number[], labels.length) };
}

/** run_info.json into dir (default output_dir; a staging folder when the final save is atomic). */
export function writeRunInfo(run: BuiltRun, cfg: RunConfig, confusion: RunInfo["confusion_matrix"], dir = run.args.output_dir): RunInfo {
  let trainable = 0;
  let total = quantizedWeightCount(run.model);
  for (const [, p] of run.model.namedParameters()) {
    total += p.numel;
    if (p.requiresGrad) trainable += p.numel;
  }
  const weights = savedWeights(dir);
  const info: RunInfo = {
    model: cfg.model.name_or_path ?? (typeof cfg.model.from_config === "string" ? cfg.model.from_config : "from_config"),
    method: cfg.method,
    task: cfg.task,
    trainable_params: trainable,
    total_params: total,
    metric_for_best_model: run.args.metric_for_best_model ?? null,
    greater_is_better: Boolean(run.args.greater_is_better),
    ...(weights ? { weights_file: weights.file, weights_bytes: weights.bytes } : {}),
    confusion_matrix: confusion,
  };
  writeJsonAtomic(path.join(dir, RUN_INFO_NAME), info);
  return info;
}

/** run_config.yaml, written before training so an interrupted run still says what it was. */
export function writeRunConfig(cfg: RunConfig, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  writeResolvedConfig(path.join(dir, RUN_CONFIG_NAME), cfg, { output_dir: dir }, `# The resolved config of this run; repeat it with: tunelab train ${path.join(dir, RUN_CONFIG_NAME)}\n`);
}
