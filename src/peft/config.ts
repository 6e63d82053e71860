/**
 * PeftConfig: the fields every PEFT method shares (PEFT's `PeftConfig`/`PromptLearningConfig`
 * keys verbatim), the typed error every config check throws, and the method registry: each
 * method file joins it with one `registerPeftMethod(...)` line, and a second registration of
 * the same peft_type is refused.
 */
import type { Module } from "../nn/index.js";
import type { PreTrainedModel, ModelInputs } from "../models/modeling_utils.js";

export type TaskType = "SEQ_CLS" | "SEQ_2_SEQ_LM" | "CAUSAL_LM" | "TOKEN_CLS" | "QUESTION_ANS" | "FEATURE_EXTRACTION";
export const TASK_TYPES: readonly TaskType[] = ["SEQ_CLS", "SEQ_2_SEQ_LM", "CAUSAL_LM", "TOKEN_CLS", "QUESTION_ANS", "FEATURE_EXTRACTION"];

/** Thrown for every invalid PEFT configuration or adapter file; `problems` lists each one found. */
export class PeftConfigError extends Error {
  override name = "PeftConfigError";
  readonly problems: string[];
  constructor(message: string, problems?: string[]) {
    super(message);
    this.problems = problems ?? [message];
  }
}

/** Problems gathered while a parse runs under gatherConfigProblems; null: the first one throws. */
let gathering: string[] | null = null;

/**
 * Reports one problem of a config being parsed: thrown at once, or — under
 * gatherConfigProblems — noted while parsing goes on with the key's default, so that one
 * pass finds every problem (a CLI reports them all together).
 */
export function configProblem(message: string): void {
  if (gathering) gathering.push(message);
  else throw new PeftConfigError(message);
}

/** Runs a parse noting every configProblem instead of stopping at the first; a thrown check ends it. */
export function gatherConfigProblems<T>(parse: () => T): { config: T | null; problems: string[] } {
  const outer = gathering;
  const problems: string[] = [];
  gathering = problems;
  try {
    const config = parse();
    return { config: problems.length ? null : config, problems };
  } catch (err) {
    if (!(err instanceof PeftConfigError || err instanceof RangeError || err instanceof TypeError)) throw err;
    problems.push(err.message);
    return { config: null, problems };
  } finally {
    gathering = outer;
  }
}

/** Keys every adapter_config.json may hold (PEFT's PeftConfig). */
export const BASE_CONFIG_KEYS = [
  "peft_type", "task_type", "base_model_name_or_path", "revision", "inference_mode", "auto_mapping", "peft_version",
] as const;

export interface PeftConfig {
  peft_type: string;
  task_type: TaskType | null;
  base_model_name_or_path: string | null;
  revision: string | null;
  inference_mode: boolean;
  /** Modules trained fully and saved with the adapter (e.g. the classifier head). */
  modules_to_save: string[] | null;
  [key: string]: unknown;
}

/** Methods that change the inputs (prompt/prefix tuning) rather than wrapping layers. */
export interface PromptEncoderHooks<C extends PeftConfig> {
  /** Builds the prompt encoder (its parameters are the adapter). */
  createEncoder(model: PreTrainedModel, config: C, opts: InjectOptions): Module;
  /** Rewrites the forward inputs with the prompts. */
  prepareInputs(model: PreTrainedModel, encoder: Module, config: C, inputs: ModelInputs): ModelInputs;
  /** The tensor saved as `prompt_embeddings`, and how to load one back into the encoder. */
  embeddingsToSave(encoder: Module, config: C): import("../tensor/index.js").Tensor;
  loadEmbeddings(encoder: Module, config: C, t: import("../tensor/index.js").Tensor): void;
  /**
   * Training state the saved prompt cannot rebuild (prefix tuning's projection MLP, whose output
   * is all PEFT saves), kept beside the adapter so a checkpoint resumes; null when there is none.
   */
  trainingState?(encoder: Module): Map<string, import("../tensor/index.js").Tensor> | null;
}

export interface InjectOptions {
  /** For prompt_tuning_init TEXT: any tokenizer with encode(text) → ids (adds special tokens as PEFT's tokenizer call does). */
  tokenizer?: { encode(text: string): number[] };
  /** Set when the adapter's weights are about to be loaded from a file (no init work, saved layouts). */
  fromSaved?: boolean;
}

export interface PeftMethod<C extends PeftConfig = PeftConfig> {
  peft_type: string;
  /** Parameter names of this method's adapter tensors contain this prefix ("lora_", "ia3_"). */
  prefix: string | null;
  parseConfig(dict: Record<string, unknown>): C;
  /** Layer methods: wraps/marks modules of `model` in place for adapter `adapterName`. */
  inject?(model: PreTrainedModel, config: C, adapterName: string, opts: InjectOptions): void;
  /** Prompt-learning methods. */
  prompt?: PromptEncoderHooks<C>;
  /** Extra parameter paths (relative to the base model) that belong to the adapter (LoRA bias, BitFit biases). */
  extraSavedParameters?(model: PreTrainedModel, config: C, adapterName: string): string[];
}

const registry = new Map<string, PeftMethod<PeftConfig>>();

/** Adds a method; a peft_type may be registered once. */
export function registerPeftMethod<C extends PeftConfig>(method: PeftMethod<C>): void {
  if (registry.has(method.peft_type)) {
    throw new PeftConfigError(`[peft] peft_type "${method.peft_type}" is already registered; each method registers once`);
  }
  registry.set(method.peft_type, method as unknown as PeftMethod<PeftConfig>);
}

export function getPeftMethod(peftType: string): PeftMethod<PeftConfig> {
  const m = registry.get(peftType);
  if (!m) {
    throw new PeftConfigError(`[peft] unknown peft_type "${peftType}"; supported: ${[...registry.keys()].join(", ")}`);
  }
  return m;
}

export function registeredPeftTypes(): string[] {
  return [...registry.keys()];
}

/**
 * Checks a dict against a method's known keys and builds the shared base fields. Each unknown
 * key is a problem naming it and the nearest valid key (a typo like `lora_alhpa` must not
 * silently train with the default).
 */
export function parseBase(dict: Record<string, unknown>, peftType: string, ownKeys: readonly string[], ignoredKeys: readonly string[] = []): PeftConfig {
  if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
    throw new PeftConfigError(`[peft] a ${peftType} config must be an object of PEFT's keys, got ${JSON.stringify(dict)}`);
  }
  const known = new Set<string>([...BASE_CONFIG_KEYS, "modules_to_save", ...ownKeys, ...ignoredKeys]);
  for (const k of Object.keys(dict).filter((key) => !known.has(key))) {
    const near = nearestKey(k, [...known]);
    configProblem(`[peft] unknown ${peftType} config key "${k}"; ${near ? `did you mean "${near}"?` : `valid keys: ${[...known].sort().join(", ")}`}`);
  }
  if (dict.peft_type !== undefined && dict.peft_type !== peftType) {
    configProblem(`[peft] peft_type is "${String(dict.peft_type)}" but this is a ${peftType} config`);
  }
  let task = dict.task_type ?? null;
  if (task !== null && !TASK_TYPES.includes(task as TaskType)) {
    const near = typeof task === "string" ? nearestKey(task.toUpperCase(), [...TASK_TYPES]) : null;
    configProblem(`[peft] task_type "${String(task)}" is not one of ${TASK_TYPES.join(", ")}${near ? `; did you mean "${near}"?` : ""}`);
    task = null;
  }
  return {
    peft_type: peftType,
    task_type: task as TaskType | null,
    base_model_name_or_path: optString(dict, "base_model_name_or_path"),
    revision: optString(dict, "revision"),
    inference_mode: optBool(dict, "inference_mode", false),
    modules_to_save: optStringList(dict, "modules_to_save"),
  };
}

/** The valid key closest to a misspelt one (edit distance ≤ 2, or ≤ a third of its length), or null. */
function nearestKey(unknown: string, known: string[]): string | null {
  const best = known.map((k) => [k, editDistance(unknown, k)] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(unknown.length / 3)) ? best[0] : null;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

// Small typed readers: each names the key and the value it got; a bad value is a configProblem
// and, when problems are being gathered, reads as the default so parsing can go on.

export function optString(d: Record<string, unknown>, key: string): string | null {
  const v = d[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") {
    configProblem(`[peft] ${key} must be a string, got ${JSON.stringify(v)}`);
    return null;
  }
  return v;
}

export function optBool(d: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = d[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") {
    configProblem(`[peft] ${key} must be true or false, got ${JSON.stringify(v)}`);
    return dflt;
  }
  return v;
}

export function optNumber(d: Record<string, unknown>, key: string, dflt: number, check?: (x: number) => boolean, rule = "a number"): number {
  const v = d[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v) || (check && !check(v))) {
    configProblem(`[peft] ${key} must be ${rule}, got ${JSON.stringify(v)}`);
    return dflt;
  }
  return v;
}

export function optStringList(d: Record<string, unknown>, key: string): string[] | null {
  const v = d[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
    configProblem(`[peft] ${key} must be a list of module names, got ${JSON.stringify(v)}`);
    return null;
  }
  return [...v];
}

/** A list of names or one regex string (PEFT's `Union[list[str], str]`). */
export function optTargets(d: Record<string, unknown>, key: string): string[] | string | null {
  const v = d[key];
  if (typeof v === "string") return v;
  return optStringList(d, key);
}

export function optIntList(d: Record<string, unknown>, key: string): number[] | null {
  const v = d[key];
  if (v === undefined || v === null) return null;
  const list = typeof v === "number" ? [v] : v;
  if (!Array.isArray(list) || !list.every((x) => Number.isInteger(x) && x >= 0)) {
    configProblem(`[peft] ${key} must be a layer index or a list of them, got ${JSON.stringify(v)}`);
    return null;
  }
  return list as number[];
}

export function optNumberMap(d: Record<string, unknown>, key: string): Record<string, number> {
  const v = d[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v) || !Object.values(v).every((x) => typeof x === "number" && x > 0)) {
    configProblem(`[peft] ${key} must map module names/patterns to positive numbers, got ${JSON.stringify(v)}`);
    return {};
  }
  return { ...(v as Record<string, number>) };
}

export function oneOf<T extends string>(d: Record<string, unknown>, key: string, allowed: readonly T[], dflt: T): T {
  const v = d[key];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string" || !allowed.includes(v as T)) {
    const near = typeof v === "string" ? nearestKey(v, [...allowed]) : null;
    configProblem(`[peft] ${key} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(v)}${near ? `; did you mean "${near}"?` : ""}`);
    return dflt;
  }
  return v as T;
}

/** The config as adapter_config.json holds it: PEFT's keys, sorted. */
export function configToJson(config: PeftConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(config).sort()) {
    const v = config[k];
    if (v !== undefined && typeof v !== "function") out[k] = v;
  }
  return out;
}
