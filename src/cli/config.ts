/**
 * The run configuration (one YAML file): model, tokenizer, task, dataset, method/peft,
 * early_stopping and the training arguments by their Hugging Face names (in a `training:`
 * section, or at the top level as a pasted TrainingArguments dict). Everything is checked
 * before any work starts and every problem is reported at once. Relative paths are
 * resolved from the config file's folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml, parseDocument } from "yaml";
import type { z } from "zod";
import { TrainingArguments, IGNORED_HF_KEYS } from "../train/training_args.js";
import type { TaskName } from "../pipelines/tasks.js";
import type { RunConfig as LibraryRunConfig, ModelSection, DatasetSection } from "../pipelines/config.js";
import { TASK_NAMES, resolveTaskName } from "./vocabulary.js";
import { TASK_OPTION_SCHEMAS, datasetSectionSchema, earlyStoppingSchema, modelSectionSchema } from "../pipelines/config.js";
import { resolveMethodName, validateMethod } from "../train/methods.js";
import { nearestName, schemaKeys, schemaProblems } from "../train/suggest.js";
import { readUtf8File } from "../io/text.js";
import { QuantizationConfigError, parseQuantizationConfig } from "../quant/config.js";

// compare: and sweep: are read by `tunelab compare` / `tunelab sweep` (src/cli/commands); train ignores them.
export const SECTIONS = ["model", "tokenizer", "task", "dataset", "method", "peft", "quantization", "training", "early_stopping", "compare", "sweep"] as const;

export type { ModelSection, DatasetSection };

/** A validated config: every section present (defaults filled in), paths absolute; notes for the user. */
export type RunConfig = Required<LibraryRunConfig> & { notes: string[] };

export class ConfigError extends Error {
  constructor(readonly source: string, readonly problems: string[]) {
    super(`${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses a YAML file with line numbers in syntax errors. */
export function readYamlFile(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new ConfigError(file, [`no such file; pass the path of a YAML config (see \`tunelab train --help\`)`]);
  const text = readUtf8File(file, "config");
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) throw new ConfigError(file, doc.errors.map((e) => `YAML syntax: ${e.message.split("\n")[0]}`));
  const value = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new ConfigError(file, ["the top level must be a mapping of sections (model:, task:, dataset:, training: ...)"]);
  return value as Record<string, unknown>;
}

/** Applies `--set a.b=value` overrides (values parsed as YAML scalars: numbers, booleans, lists). */
export function applyOverrides(raw: Record<string, unknown>, sets: string[]): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const item of sets) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new ConfigError("--set", [`"${item}" is not key=value (e.g. --set learning_rate=1e-4 or --set dataset.on_bad_rows=skip)`]);
    const keyPath = item.slice(0, eq).trim().split(".");
    const value = parseYaml(item.slice(eq + 1));
    // A bare training argument name goes to the training section.
    if (keyPath.length === 1 && !(SECTIONS as readonly string[]).includes(keyPath[0]) && (TrainingArguments.validKeys.includes(keyPath[0]) || IGNORED_HF_KEYS.includes(keyPath[0]))) {
      keyPath.unshift("training");
    }
    let node = out as Record<string, unknown>;
    for (const k of keyPath.slice(0, -1)) {
      if (typeof node[k] === "string" && (k === "model" || k === "task")) node[k] = k === "model" ? { name_or_path: node[k] } : { type: node[k] };
      if (node[k] === undefined || node[k] === null || typeof node[k] !== "object") node[k] = {};
      node = node[k] as Record<string, unknown>;
    }
    node[keyPath[keyPath.length - 1]] = value;
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A section given as a mapping, checked by its schema, or as a string standing for its main
 * key (`model: path`). Problems go to `problems`; what parsed is returned (raw values kept
 * where a key failed, so later checks can still name them).
 */
function readSection<T extends object>(name: string, value: unknown, schema: z.ZodObject, stringKey: string, mustBe: string, problems: string[]): T {
  if (value === undefined || value === null) return {} as T;
  const given = typeof value === "string" ? { [stringKey]: value } : value;
  if (!isObject(given)) {
    problems.push(`${name}: must be ${mustBe}`);
    return {} as T;
  }
  const parsed = schema.safeParse(given);
  if (parsed.success) return parsed.data as T;
  problems.push(...schemaProblems(parsed.error, given, name, schemaKeys(schema), `${name}.`));
  return { ...given } as T;
}

export interface ValidateOptions {
  /** Check that model and data files exist (default true; off for dry checks). */
  requirePaths?: boolean;
  /** The task when the config names none (otherwise a missing task is a problem). */
  defaultTask?: TaskName;
  /**
   * The task when the config names none, read from the (valid) model section, e.g. from its
   * config.json; what it throws is reported with the other problems. Takes precedence over
   * defaultTask, which stays the task the task options are checked against if the model is invalid.
   */
  taskFromModel?: (model: ModelSection) => TaskName;
}

/**
 * Validates a raw config and returns the typed one, or throws ConfigError listing every
 * problem. `requirePaths` checks that model and data files exist (skipped for dry checks).
 */
export function validateConfig(raw: Record<string, unknown>, source: string, baseDir: string, opts: ValidateOptions = {}): RunConfig {
  const problems: string[] = [];
  const training: Record<string, unknown> = isObject(raw.training) ? { ...raw.training } : {};
  if (raw.training !== undefined && !isObject(raw.training)) problems.push("training: must be a mapping of training arguments");
  for (const [key, value] of Object.entries(raw)) {
    if ((SECTIONS as readonly string[]).includes(key)) continue;
    if (TrainingArguments.validKeys.includes(key) || IGNORED_HF_KEYS.includes(key)) {
      if (key in training) problems.push(`"${key}" is given both at the top level and under training:; keep one`);
      training[key] = value;
      continue;
    }
    const near = nearestName(key, [...SECTIONS, ...TrainingArguments.validKeys]);
    problems.push(`unknown top-level key "${key}"${near ? `; did you mean "${near}"?` : `; sections are ${SECTIONS.join(", ")} (training arguments may also sit at the top level)`}`);
  }
  const resolvePath = (p: string) => (path.isAbsolute(p) ? p : path.resolve(baseDir, p));

  // model
  const problemsBeforeModel = problems.length;
  const model = readSection<ModelSection>("model", raw.model, modelSectionSchema, "name_or_path", "a path/hub id, or { name_or_path, config }", problems);
  if (!model.name_or_path && !model.from_config) problems.push("model: missing; give a pretrained model folder or hub id (model: path/to/model), or model.from_config for a randomly initialised one");
  const localish = (p: string) => p.startsWith(".") || p.startsWith("/") || fs.existsSync(resolvePath(p));
  if (model.name_or_path && localish(model.name_or_path)) {
    model.name_or_path = resolvePath(model.name_or_path);
    if (opts.requirePaths !== false && !fs.existsSync(path.join(model.name_or_path, "config.json"))) {
      problems.push(`model: ${model.name_or_path} has no config.json; pass a model folder saved with save_pretrained`);
    }
  }
  if (typeof model.from_config === "string") {
    model.from_config = resolvePath(model.from_config);
    if (opts.requirePaths !== false && !fs.existsSync(model.from_config)) problems.push(`model.from_config: ${model.from_config} does not exist; give a config.json path (relative paths are resolved from the config file's folder)`);
  }
  const modelIsValid = problems.length === problemsBeforeModel;

  let tokenizer: string | null = null;
  if (typeof raw.tokenizer === "string") tokenizer = localish(raw.tokenizer) ? resolvePath(raw.tokenizer) : raw.tokenizer;
  else if (raw.tokenizer !== undefined && raw.tokenizer !== null) problems.push("tokenizer: must be a path or hub id");
  if (!tokenizer && !model.name_or_path && model.from_config) problems.push("tokenizer: required when the model is built from_config (there is no model folder to take it from)");

  // task
  let task: TaskName = opts.defaultTask ?? "text_classification";
  const taskOptions: Record<string, unknown> = {};
  const rawTask = isObject(raw.task) ? raw.task.type : raw.task;
  if (rawTask === undefined && opts.taskFromModel) {
    if (modelIsValid) {
      try {
        task = opts.taskFromModel(model);
      } catch (err) {
        problems.push(`task: not given, and the model does not tell it: ${(err as Error).message}`);
      }
    }
  } else if (rawTask === undefined && !opts.defaultTask) problems.push(`task: missing; one of ${TASK_NAMES.join(", ")}`);
  else if (rawTask !== undefined) {
    const t = resolveTaskName(rawTask);
    if ((TASK_NAMES as string[]).includes(t)) task = t as TaskName;
    else problems.push(`task: ${t}`);
  }
  if (isObject(raw.task)) {
    const { type: _type, ...given } = raw.task;
    const schema = TASK_OPTION_SCHEMAS[task];
    const parsed = schema.safeParse(given);
    if (parsed.success) Object.assign(taskOptions, parsed.data);
    else problems.push(...schemaProblems(parsed.error, given, `task (${task})`, schemaKeys(schema), "task."));
  }

  // dataset
  const dataset = readSection<DatasetSection>("dataset", raw.dataset, datasetSectionSchema, "path", "a path or a mapping (path, train_file, validation_file, ...)", problems);
  if (!dataset.path && !dataset.train_file && !dataset.validation_file && !dataset.test_file) problems.push("dataset: missing; give dataset.path (a file or a folder with train/validation/test files) or train_file/validation_file");
  for (const k of ["path", "train_file", "validation_file", "test_file"] as const) {
    const p = dataset[k];
    if (typeof p !== "string") continue;
    dataset[k] = resolvePath(p);
    if (opts.requirePaths !== false && !fs.existsSync(dataset[k]!)) problems.push(`dataset.${k}: ${dataset[k]} does not exist; check the path (relative paths are resolved from the config file's folder)`);
  }
  problems.push(...streamingProblems(dataset, training));

  // method / peft
  const peft = isObject(raw.peft) ? raw.peft : {};
  if (raw.peft !== undefined && raw.peft !== null && !isObject(raw.peft)) problems.push("peft: must be a mapping of PEFT config keys (r, lora_alpha, target_modules, ...)");
  if (raw.method !== undefined && typeof raw.method !== "string") problems.push("method: must be a name (full, lora, bitfit, ...)");
  const method = resolveMethodName(raw.method, raw.peft ? peft : undefined);
  problems.push(...validateMethod(method, Object.fromEntries(Object.entries(peft).filter(([k]) => k !== "peft_type"))));

  // quantization (BitsAndBytesConfig): the base loads in 4 bits
  let quantization: Record<string, unknown> | null = null;
  if (raw.quantization !== undefined && raw.quantization !== null) {
    try {
      if (parseQuantizationConfig(raw.quantization, "quantization")) quantization = raw.quantization as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof QuantizationConfigError)) throw err;
      problems.push(err.message.replace(/^\[quantization\] /, "quantization: "));
    }
  }

  // training arguments
  for (const p of TrainingArguments.check(training)) problems.push(`training: ${p}`);
  if (typeof training.output_dir === "string") training.output_dir = resolvePath(training.output_dir);

  // early stopping
  let early_stopping: RunConfig["early_stopping"] = null;
  if (raw.early_stopping !== undefined && raw.early_stopping !== null) {
    early_stopping = readSection("early_stopping", raw.early_stopping, earlyStoppingSchema, "early_stopping_patience", "a mapping (early_stopping_patience, early_stopping_threshold)", problems);
    const evalStrategy = training.eval_strategy ?? training.evaluation_strategy ?? "no";
    if (evalStrategy === "no") problems.push("early_stopping: needs evaluations; set training.eval_strategy to steps or epoch");
  }

  if (problems.length) throw new ConfigError(source, problems);
  return { file: source, baseDir, model, tokenizer, task, taskOptions, dataset, method, peft, quantization, training, early_stopping, notes: [] };
}

/** dataset.streaming: what a stream cannot do (be measured, be split, be read as a whole document). */
function streamingProblems(d: DatasetSection, training: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const buffer = d.shuffle_buffer_size;
  if (d.streaming !== true) {
    if (buffer !== undefined) problems.push("dataset.shuffle_buffer_size: only applies with dataset.streaming: true (in-memory data is fully shuffled each epoch)");
    return problems;
  }
  const maxSteps = training.max_steps;
  if (!(typeof maxSteps === "number" && maxSteps > 0)) problems.push("dataset.streaming: a stream has no length, so set training.max_steps (a positive number of steps) instead of relying on num_train_epochs");
  if (d.validation_split !== undefined) problems.push("dataset.validation_split: cannot carve a validation split out of a stream; give dataset.validation_file (read into memory) instead");
  if (d.stratify_by_column !== undefined) problems.push("dataset.stratify_by_column: does not apply to a stream; give dataset.validation_file instead");
  if (d.format !== undefined && !["jsonl", "text", "csv", "tsv"].includes(d.format)) problems.push(`dataset.format: ${d.format} files cannot be streamed; stream JSONL, text, CSV or TSV, or set streaming: false`);
  return problems;
}

/** Reads, overrides and validates a config file. */
export function loadRunConfig(file: string, sets: string[] = [], opts: Omit<ValidateOptions, "requirePaths"> = {}): RunConfig {
  const fromFile = readYamlFile(file);
  const raw = applyOverrides(fromFile, sets);
  const notes = switchedMethodNotes(fromFile, raw, sets);
  const cfg = validateConfig(raw, file, path.dirname(path.resolve(file)), opts);
  return { ...cfg, notes };
}

/**
 * `--set method=full` (or another method) on a config written for a PEFT method: the file's
 * peft: section belongs to the other method, so it is dropped (with a note) instead of
 * failing the new method's checks. A peft key set on the command line too keeps the section.
 */
function switchedMethodNotes(fromFile: Record<string, unknown>, raw: Record<string, unknown>, sets: string[]): string[] {
  const keys = sets.map((s) => s.slice(0, s.indexOf("=")).trim());
  if (!keys.includes("method") || keys.some((k) => k === "peft" || k.startsWith("peft."))) return [];
  const filePeft = isObject(fromFile.peft) ? fromFile.peft : undefined;
  const before = resolveMethodName(fromFile.method, filePeft);
  const after = resolveMethodName(raw.method, undefined);
  if (before === after || !isObject(raw.peft) || !Object.keys(raw.peft).length) return [];
  const dropped = Object.keys(raw.peft);
  delete raw.peft;
  return [`[config] --set method=${after}: ignoring the peft: section written for ${before} (${dropped.join(", ")})`];
}
