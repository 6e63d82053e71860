/**
 * A trained run folder (or a checkpoint, or an adapter folder) loaded back for evaluation,
 * prediction or serving: its task, its label names, its tokenizer and its model (an adapter
 * goes onto its base model). What tunelab train saved says the task; a folder saved by other
 * tools says it through config.json's architectures or adapter_config.json's task_type.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readJsonFile, writeJsonAtomic } from "../io/json.js";
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import type { TrainableModel } from "../train/model_contract.js";
import { loadAdapter } from "../train/methods.js";
import type { Trainer } from "../train/trainer.js";
import { TASK_NAMES, type TaskName, type TaskOptions } from "./tasks.js";
import { baseQuantization, loadModel, loadTokenizer } from "./run.js";
import type { ModelSection, RunConfig } from "./config.js";

/** Written beside a saved model by saveTrained: the task and its options, so a folder predicts alone. */
export const TASK_FILE = "tunelab_task.json";

export interface TrainedInfo {
  dir: string;
  task: TaskName;
  taskOptions: TaskOptions;
  /** The trained head's label names (classification, token classification), or null. */
  labels: { id2label: Record<string, string> } | null;
  /** adapter_config.json is there: the weights go onto a base model. */
  adapter: boolean;
  /** The adapter's base model (adapter_config.json's base_model_name_or_path), if any. */
  base_model_name_or_path?: string;
  /** How the adapter's base was quantized in training (a QLoRA run): it is loaded the same way. */
  base_quantization?: Record<string, unknown>;
}

export interface LoadTrainedOptions {
  /** The task, when the folder does not say it (or to override what it says). */
  task?: TaskName;
  /** Task options (columns, max_length); default what the folder saved. */
  taskOptions?: TaskOptions;
  /** The base model of an adapter folder (default: the adapter's base_model_name_or_path); dtype, revision. */
  model?: ModelSection;
  /** Tokenizer folder or hub id (default: the folder's own, else the base model's). */
  tokenizer?: string | null;
  /** Model config overrides (label map from data for a folder that has none). */
  overrides?: Record<string, unknown>;
  /** Model-loading notes (missing/unexpected weights); default off. */
  quiet?: boolean;
}

export interface TrainedModel extends TrainedInfo {
  model: TrainableModel;
  tokenizer: PreTrainedTokenizer;
}

const HEAD_TASKS: [RegExp, TaskName][] = [
  [/ForSequenceClassification$/, "text_classification"],
  [/ForTokenClassification$/, "token_classification"],
  [/ForQuestionAnswering$/, "extractive_qa"],
  [/ForConditionalGeneration$/, "seq2seq"],
  [/(ForCausalLM|LMHeadModel)$/, "causal_lm"],
  [/ForMaskedLM$/, "masked_lm"],
];

const PEFT_TASKS: Record<string, TaskName> = {
  SEQ_CLS: "text_classification", TOKEN_CLS: "token_classification", QUESTION_ANS: "extractive_qa", CAUSAL_LM: "causal_lm", SEQ_2_SEQ_LM: "seq2seq",
};

const readIfThere = <T>(file: string): T | null => (fs.existsSync(file) ? readJsonFile<T>(file) : null);

/** What a trained folder is, without loading weights. */
export function inspectTrained(dir: string, opts: Pick<LoadTrainedOptions, "task" | "taskOptions"> = {}): TrainedInfo {
  if (!fs.existsSync(dir)) throw new Error(`[trained] ${dir}: no such folder; pass a run folder written by tunelab train (or a checkpoint-N inside it)`);
  const saved = readIfThere<{ task?: string; task_options?: TaskOptions; base_quantization?: Record<string, unknown> }>(path.join(dir, TASK_FILE));
  const config = readIfThere<{ architectures?: string[]; id2label?: Record<string, string> }>(path.join(dir, "config.json"));
  const adapterConfig = readIfThere<{ task_type?: string; base_model_name_or_path?: string }>(path.join(dir, "adapter_config.json"));
  if (!config && !adapterConfig) throw new Error(`[trained] ${dir} holds no model (no config.json or adapter_config.json); train one first (tunelab train) or pass the folder that holds it`);
  const fromHead = HEAD_TASKS.find(([re]) => config?.architectures?.some((a) => re.test(a)))?.[1];
  const fromAdapter = adapterConfig?.task_type ? PEFT_TASKS[adapterConfig.task_type] : undefined;
  const savedTask = saved?.task && (TASK_NAMES as string[]).includes(saved.task) ? (saved.task as TaskName) : undefined;
  const task = opts.task ?? savedTask ?? fromAdapter ?? fromHead;
  if (!task) throw new Error(`[trained] ${dir}: cannot tell its task (no ${TASK_FILE}, architectures ${JSON.stringify(config?.architectures ?? [])}); give the task (${TASK_NAMES.join(", ")})`);
  // A trained head's labels count even when they are LABEL_0, LABEL_1 (integer labels);
  // a base checkpoint's default LABEL_i names are not labels anyone trained.
  const trainedHead = Boolean(savedTask) || fromAdapter === task || fromHead === task;
  const id2label = config?.id2label;
  const generic = id2label && Object.entries(id2label).every(([k, v]) => v === `LABEL_${k}`);
  const labels = id2label && Object.keys(id2label).length && (trainedHead || !generic) && (task === "text_classification" || task === "token_classification") ? { id2label } : null;
  return {
    dir, task, labels, adapter: Boolean(adapterConfig),
    taskOptions: { ...(saved?.task_options ?? {}), ...(opts.taskOptions ?? {}) },
    ...(adapterConfig?.base_model_name_or_path ? { base_model_name_or_path: adapterConfig.base_model_name_or_path } : {}),
    ...(adapterConfig && saved?.base_quantization ? { base_quantization: saved.base_quantization } : {}),
  };
}

/** The model of a trained folder: a full model, or an adapter on its base model. */
export async function loadTrainedModel(info: TrainedInfo, opts: LoadTrainedOptions = {}): Promise<TrainableModel> {
  const overrides = { ...(info.labels ? labelConfig(info.labels.id2label) : {}), ...(opts.overrides ?? {}) };
  const quiet = opts.quiet ?? true;
  if (info.adapter) {
    const base: ModelSection = { ...(opts.model ?? {}), name_or_path: opts.model?.name_or_path ?? info.base_model_name_or_path };
    if (!base.name_or_path) throw new Error(`[trained] ${info.dir} holds an adapter whose adapter_config.json names no base model; give the base model (model:)`);
    return loadAdapter(await loadModel({ model: base, task: info.task, quantization: info.base_quantization }, overrides, { quiet }), info.dir);
  }
  return loadModel({ model: opts.model ?? {}, task: info.task }, overrides, { dir: info.dir, quiet });
}

/** Task, labels, tokenizer and model of a trained folder, ready for predict() or a Trainer. */
export async function loadTrained(dir: string, opts: LoadTrainedOptions = {}): Promise<TrainedModel> {
  const info = inspectTrained(path.resolve(dir), opts);
  const base = opts.model?.name_or_path ?? info.base_model_name_or_path;
  const tokenizer = await loadTokenizer({ tokenizer: opts.tokenizer, model: { name_or_path: base } }, info.dir);
  const model = await loadTrainedModel(info, opts);
  return { ...info, tokenizer, model };
}

function labelConfig(id2label: Record<string, string>): Record<string, unknown> {
  return { id2label, label2id: Object.fromEntries(Object.entries(id2label).map(([k, v]) => [v, Number(k)])), num_labels: Object.keys(id2label).length };
}

/**
 * The folder eval/predict use: the one given, else output_dir when it holds a saved model,
 * else the config's own model.
 */
export function trainedModelDir(cfg: RunConfig, outputDir: string, given?: string): string {
  if (given) return path.resolve(given);
  if (fs.existsSync(path.join(outputDir, "config.json")) || fs.existsSync(path.join(outputDir, "adapter_config.json"))) return outputDir;
  if (!cfg.model.name_or_path) {
    throw new Error(`[trained] no model to load: ${outputDir} holds no trained model and the config's model is built from_config; train one first (tunelab train), or pass --model <dir>`);
  }
  return cfg.model.name_or_path;
}

/**
 * Saves a finished run: the model (or adapter) and tokenizer, the task file, and beside an
 * adapter the task model's config.json (its label names; the weights stay the base's).
 */
export function saveTrained(run: { trainer: Trainer; model: TrainableModel; config: Pick<RunConfig, "task" | "taskOptions"> & Partial<Pick<RunConfig, "method" | "quantization">> }, dir: string): void {
  run.trainer.saveModel(dir);
  const config = run.model.config as { save?(dir: string): void } | undefined;
  if (fs.existsSync(path.join(dir, "adapter_config.json")) && !fs.existsSync(path.join(dir, "config.json")) && typeof config?.save === "function") config.save(dir);
  const adapter = fs.existsSync(path.join(dir, "adapter_config.json"));
  const quantization = adapter ? baseQuantization(run.config) : undefined; // a merged/full save carries its own config
  writeJsonAtomic(path.join(dir, TASK_FILE), { task: run.config.task, task_options: run.config.taskOptions ?? {}, ...(quantization ? { base_quantization: quantization } : {}) });
}

/** HF's example scripts write all_results.json plus train_/eval_ files. */
export function writeResults(dir: string, metrics: Record<string, number>): void {
  fs.mkdirSync(dir, { recursive: true });
  const pick = (prefix: string) => Object.fromEntries(Object.entries(metrics).filter(([k]) => k.startsWith(prefix) || (prefix === "train_" && k === "epoch")));
  writeJsonAtomic(path.join(dir, "all_results.json"), metrics);
  writeJsonAtomic(path.join(dir, "train_results.json"), pick("train_"));
  const ev = pick("eval_");
  if (Object.keys(ev).length) writeJsonAtomic(path.join(dir, "eval_results.json"), ev);
}
