/**
 * Building a run from a config: tokenizer, data splits, task features, model (+ training
 * method) → a Trainer ready to train. `tunelab train`, `tunelab pretrain`, the quickstart
 * and library users call buildRun; eval and predict load what it saved (trained.ts).
 */
import { QLORA_DEFAULT_CONFIG } from "../quant/prepare.js";
import { quantizationConfigToDict } from "../quant/config.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { manualSeed } from "../tensor/index.js";
import { AutoTokenizer, type PreTrainedTokenizer } from "../data/tokenizer.js";
import { findSplitFiles, loadDataset, type ReadOptions } from "../data/readers.js";
import { IterableDataset } from "../data/stream.js";
import type { Dataset } from "../data/dataset.js";
import { AutoConfig, modelClassFor } from "../models/auto.js";
import { PretrainedConfig } from "../models/configuration_utils.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { readJsonFile } from "../io/json.js";
import { Trainer } from "../train/trainer.js";
import { TrainingArguments } from "../train/training_args.js";
import { EarlyStoppingCallback, type TrainerCallback } from "../train/callbacks.js";
import { applyTrainingMethod, describeTrainableParameters } from "../train/methods.js";
import type { TrainableModel } from "../train/model_contract.js";
import { AUTO_TASK, prepareTask, type PreparedTask } from "./tasks.js";
import { prepareStreamingTask } from "./streaming_task.js";
import type { RunConfig } from "./config.js";

/** Where a run's messages go: progress lines, and warnings (skipped rows, truncation). */
export interface Output {
  info(line: string): void;
  warn(line: string): void;
}

export const consoleOutput: Output = { info: (l) => console.log(l), warn: (l) => console.error(l) };

/** The config's tokenizer, else the one saved in modelDir (a trained model folder), else the model's. */
export async function loadTokenizer(cfg: Pick<RunConfig, "tokenizer" | "model">, modelDir?: string): Promise<PreTrainedTokenizer> {
  const source = cfg.tokenizer ?? (modelDir && hasTokenizer(modelDir) ? modelDir : undefined) ?? cfg.model.name_or_path;
  if (!source) throw new Error("[run] no tokenizer: the config has no tokenizer and no model folder to take one from; set tokenizer (a folder with tokenizer.json or vocab.txt)");
  return AutoTokenizer.fromPretrained(source);
}

export function hasTokenizer(dir: string): boolean {
  return fs.existsSync(path.join(dir, "tokenizer_config.json")) || fs.existsSync(path.join(dir, "tokenizer.json"));
}

/** The splits the config names, with validation carved out of train when asked (or needed). */
export async function loadSplits(cfg: RunConfig, out: Output, needValidation: boolean): Promise<Record<string, Dataset>> {
  const d = cfg.dataset;
  const files: Record<string, string> = {};
  if (d.train_file) files.train = d.train_file;
  if (d.validation_file) files.validation = d.validation_file;
  if (d.test_file) files.test = d.test_file;
  const splits = await loadDataset(d.path ?? null, { ...readOptions(d, out), data_files: Object.keys(files).length ? files : undefined });
  reportSplitFiles(splits, !Object.keys(files).length && d.path && fs.statSync(d.path).isDirectory() ? findSplitFiles(d.path, d.format).ignored : undefined, out);
  const seed = d.split_seed ?? Number(cfg.training?.seed ?? 42);
  if (!splits.validation && splits.train && (d.validation_split !== undefined || needValidation)) {
    const size = d.validation_split ?? 0.1;
    const { train, test } = splits.train.trainTestSplit({ test_size: size, seed, stratify_by_column: d.stratify_by_column });
    splits.train = train;
    splits.validation = test;
    out.info(`[data] no validation split: held out ${test.length} of ${train.length + test.length} training rows (validation_split ${size})`);
  }
  if (d.max_train_samples && splits.train) splits.train = splits.train.take(d.max_train_samples);
  if (d.max_eval_samples) for (const s of ["validation", "test"]) if (splits[s]) splits[s] = splits[s].take(d.max_eval_samples);
  return splits;
}

/**
 * dataset.streaming: the train split as a stream, shuffled with a seeded buffer (data_seed or
 * seed), and the other splits (validation, test) read into memory as usual.
 */
export async function loadStreamingSplits(cfg: RunConfig, out: Output, needValidation: boolean): Promise<{ train: IterableDataset; splits: Record<string, Dataset> }> {
  const d = cfg.dataset;
  const found: Record<string, string[]> & { ignored?: string[] } = d.path && fs.statSync(d.path).isDirectory() ? findSplitFiles(d.path, d.format) : d.path ? { train: [d.path] } : {};
  const trainFiles = d.train_file ? [d.train_file] : found.train;
  if (!trainFiles?.length) throw new Error(`[run] dataset.streaming: no train file to stream (found: ${Object.keys(found).join(", ") || "nothing"}); set dataset.train_file or name a file train.*`);
  const others: Record<string, string[]> = {};
  for (const split of ["validation", "test"] as const) {
    const given = split === "validation" ? d.validation_file : d.test_file;
    if (given) others[split] = [given];
    else if (found[split]) others[split] = found[split];
  }
  const splits = Object.keys(others).length ? await loadDataset(null, { ...readOptions(d, out), data_files: others }) : {};
  out.info(`[data] train (streamed): ${trainFiles.map(shownPath).join(", ")}`);
  reportSplitFiles(splits, found.ignored, out);
  if (needValidation && !splits.validation) {
    throw new Error("[run] evaluation needs a validation split, and a stream cannot be split; set dataset.validation_file (it is read into memory) or training.eval_strategy: no");
  }
  if (d.max_eval_samples) for (const s of ["validation", "test"]) if (splits[s]) splits[s] = splits[s].take(d.max_eval_samples);
  let train = IterableDataset.fromFile(trainFiles, { format: d.format, on_bad_rows: d.on_bad_rows, column_names: d.column_names, header: d.header });
  if (d.max_train_samples) train = train.take(d.max_train_samples);
  const buffer = d.shuffle_buffer_size ?? 1000;
  const seed = Number(cfg.training?.data_seed ?? cfg.training?.seed ?? 42);
  if (buffer > 0) train = train.shuffle({ seed, buffer_size: buffer });
  return { train, splits };
}

function readOptions(d: RunConfig["dataset"], out: Output): ReadOptions {
  return { format: d.format, field: d.field, on_bad_rows: d.on_bad_rows, warn: out.warn, column_names: d.column_names, header: d.header };
}

const shownPath = (file: string) => {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
};

/** Which files make up each split, with their row counts (read from the rows' sources), and which files were left out. */
function reportSplitFiles(splits: Record<string, Dataset>, ignored: string[] | undefined, out: Output): void {
  for (const [split, ds] of Object.entries(splits)) {
    const counts = new Map<string, number>();
    for (const src of ds.sources) if (src) counts.set(src.file, (counts.get(src.file) ?? 0) + 1);
    const files = [...counts].map(([f, n]) => `${shownPath(f)} (${n.toLocaleString("en-US")} rows)`);
    out.info(`[data] ${split}: ${files.join(", ") || `${ds.length.toLocaleString("en-US")} rows`}`);
  }
  if (ignored?.length) out.info(`[data] not read (no split in the name, or another file is named exactly for the split): ${ignored.map(shownPath).join(", ")}`);
}

/** Task features for in-memory splits; label names fixed by a trained model when given. */
export function prepare(cfg: RunConfig, splits: Record<string, Dataset>, tokenizer: PreTrainedTokenizer, out: Output, fixedLabels?: { id2label: Record<string, string> } | null): PreparedTask {
  const prepared = prepareTask(cfg.task, splits, tokenizer, cfg.taskOptions ?? {}, cfg.dataset.on_bad_rows ?? "fail", fixedLabels);
  for (const w of prepared.warnings) out.warn(w);
  return prepared;
}

export interface LoadModelOptions {
  /** Random initialisation even when name_or_path has weights (the from-scratch baseline). */
  scratch?: boolean;
  quiet?: boolean;
  /** Load from this folder instead of the config's model (a trained run). */
  dir?: string;
}

/** How the base is quantized while loading: the quantization section, else NF4 + double quantization for method: qlora. */
export function baseQuantization(cfg: Partial<Pick<RunConfig, "method" | "quantization">>): Record<string, unknown> | undefined {
  return cfg.quantization ?? (cfg.method === "qlora" ? quantizationConfigToDict(QLORA_DEFAULT_CONFIG) : undefined);
}

/**
 * The task model: pretrained weights from a folder/hub id, or a random initialisation from a
 * config (from_config, or `scratch` to ignore the weights of name_or_path: the baseline).
 */
export async function loadModel(cfg: Pick<RunConfig, "model" | "task"> & Partial<Pick<RunConfig, "method" | "quantization">>, overrides: Record<string, unknown>, opts: LoadModelOptions = {}): Promise<PreTrainedModel> {
  const autoTask = AUTO_TASK[cfg.task];
  const extra = { ...(cfg.model.config ?? {}), ...overrides };
  const dir = opts.dir ?? cfg.model.name_or_path;
  if (!opts.scratch && dir) {
    const dict = readJsonFile<Record<string, unknown>>(path.join(dir, "config.json"));
    const cls = modelClassFor(String(dict.model_type), autoTask);
    const quantization_config = baseQuantization(cfg);
    return cls.fromPretrained(dir, { config: extra, quiet: opts.quiet, torch_dtype: cfg.model.torch_dtype, revision: cfg.model.revision, local_files_only: cfg.model.local_files_only, quantization_config });
  }
  let config: PretrainedConfig;
  if (cfg.model.from_config !== undefined && (opts.scratch ? !dir : true)) {
    const dict = typeof cfg.model.from_config === "string" ? readJsonFile<Record<string, unknown>>(cfg.model.from_config) : cfg.model.from_config;
    config = AutoConfig.forModel(String(dict.model_type), dict);
  } else {
    config = await AutoConfig.fromPretrained(dir!);
  }
  config.update(extra);
  const registered = modelClassFor(config.model_type, autoTask);
  const Ctor = registered as unknown as new (c: PretrainedConfig) => PreTrainedModel;
  const configCls: typeof PretrainedConfig = registered.configClass;
  return new Ctor(config instanceof configCls ? config : configCls.fromDict((config as PretrainedConfig).toDict()));
}

/** TrainingArguments from the config; output_dir defaults to runs/<config file name>. */
export function trainingArgs(cfg: RunConfig, defaults: Record<string, unknown> = {}): TrainingArguments {
  const name = path.basename(cfg.file ?? "run", path.extname(cfg.file ?? ""));
  const output_dir = (cfg.training?.output_dir as string | undefined) ?? path.join(cfg.baseDir ?? process.cwd(), "runs", name);
  return new TrainingArguments({ ...defaults, ...(cfg.training ?? {}), output_dir });
}

export interface BuildRunOptions {
  /** Random initialisation of name_or_path's architecture (the from-scratch baseline). */
  scratch?: boolean;
  /** No progress bars or model-loading notes. */
  quiet?: boolean;
  callbacks?: TrainerCallback[];
  progress_stream?: { write(s: string): unknown; isTTY?: boolean };
  /** TrainingArguments defaults the config may override (pretrain: save_strategy "no"). */
  argDefaults?: Record<string, unknown>;
  /** Where messages go (default the console). */
  out?: Output;
  /** No model-loading notes (newly initialised or unused weights), progress bars still shown. */
  quietLoading?: boolean;
}

export interface Run {
  config: RunConfig;
  tokenizer: PreTrainedTokenizer;
  splits: Record<string, Dataset>;
  prepared: PreparedTask;
  /** dataset.streaming: the train features as a stream (prepared.splits then has no train). */
  streamedTrain?: IterableDataset;
  model: TrainableModel;
  trainer: Trainer;
  args: TrainingArguments;
}

/**
 * Before any step: a classifier that pools the last real token (GPT-2, Llama, ...) finds it
 * by pad_token_id, so the model's must be the one the collator pads with, and batches of
 * more than one row need one at all.
 */
function checkPadding(cfg: RunConfig, model: TrainableModel, prepared: PreparedTask, args: TrainingArguments): void {
  if (cfg.task !== "text_classification") return;
  const modelPad = (model.config as { pad_token_id?: number | null } | undefined)?.pad_token_id ?? null;
  const batch = Math.max(args.per_device_train_batch_size, args.per_device_eval_batch_size);
  if (prepared.pad_token_id === null && batch > 1) {
    throw new Error(`[run] the tokenizer has no pad token and no EOS token to pad batches of ${batch} rows with; give the tokenizer a pad token (tokenizer_config.json pad_token) or set per_device_train_batch_size and per_device_eval_batch_size to 1`);
  }
  if (prepared.pad_token_id !== null && modelPad !== prepared.pad_token_id) {
    throw new Error(`[run] the collator pads with token id ${prepared.pad_token_id} but the model's config.pad_token_id is ${modelPad}; set model.config.pad_token_id: ${prepared.pad_token_id}`);
  }
}

/** Everything a training run needs, ready to call run.trainer.train(). */
export async function buildRun(cfg: RunConfig, opts: BuildRunOptions = {}): Promise<Run> {
  const out = opts.out ?? consoleOutput;
  const args = trainingArgs(cfg, opts.argDefaults);
  const tokenizer = await loadTokenizer(cfg);
  const policy = cfg.dataset.on_bad_rows ?? "fail";
  let splits: Record<string, Dataset>;
  let prepared: PreparedTask;
  let streamedTrain: IterableDataset | undefined;
  if (cfg.dataset.streaming) {
    const loaded = await loadStreamingSplits(cfg, out, args.eval_strategy !== "no");
    splits = loaded.splits;
    ({ prepared, train: streamedTrain } = await prepareStreamingTask(cfg.task, loaded.train, splits, tokenizer, cfg.taskOptions ?? {}, policy, out.warn));
    for (const w of prepared.warnings) out.warn(w);
  } else {
    splits = await loadSplits(cfg, out, args.eval_strategy !== "no");
    if (!splits.train) throw new Error(`[run] the dataset has no train split (found: ${Object.keys(splits).join(", ")}); name a file train.* or set dataset.train_file`);
    prepared = prepare(cfg, splits, tokenizer, out);
  }
  manualSeed(args.seed);
  let model: TrainableModel = await loadModel(cfg, prepared.config, { scratch: opts.scratch, quiet: opts.quiet || opts.quietLoading });
  checkPadding(cfg, model, prepared, args);
  const method = cfg.method ?? "full";
  model = await applyTrainingMethod(model, method, cfg.peft ?? {}, {
    task: cfg.task,
    model_type: String((model.config as { model_type?: string } | undefined)?.model_type ?? ""),
    base_model_name_or_path: cfg.model.name_or_path ?? "",
  });
  if (!opts.quiet) out.info(`[model] ${method}: ${describeTrainableParameters(model)}`);
  const callbacks: TrainerCallback[] = [...(opts.callbacks ?? [])];
  if (cfg.early_stopping) callbacks.push(new EarlyStoppingCallback(cfg.early_stopping));
  const trainer = new Trainer({
    model, args, tokenizer, callbacks,
    train_dataset: streamedTrain ?? prepared.splits.train,
    eval_dataset: prepared.splits.validation,
    data_collator: prepared.collator,
    compute_metrics: prepared.compute_metrics,
    metric_input_columns: prepared.metric_input_columns,
    report_perplexity: prepared.report_perplexity,
    quiet: opts.quiet,
    progress_stream: opts.progress_stream,
  });
  return { config: cfg, tokenizer, splits, prepared, streamedTrain, model, trainer, args };
}
