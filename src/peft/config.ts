/**
 * PeftConfig: the fields every PEFT method shares (PEFT's `PeftConfig`/`PromptLearningConfig`
 * keys verbatim), the typed error every config check throws, the hooks a method provides, and
 * ConfigReader, which every method's config parser reads its dict through.
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

/**
 * Reads one config dict: each typed reader names the key and the value it got, notes a bad
 * value as a problem and reads it as the default, so one pass finds every problem (a CLI
 * reports them all together). Parsers take a reader; readConfig runs one and returns the
 * config with its problems, parseOrThrow throws them — no global mode switch.
 */
export class ConfigReader {
  readonly problems: string[] = [];
  constructor(readonly dict: Record<string, unknown>) {}

  problem(message: string): void {
    this.problems.push(message);
  }

  /**
   * Checks the dict against a method's known keys and builds the shared base fields. Each
   * unknown key is a problem naming it and the nearest valid key (a typo like `lora_alhpa`
   * must not silently train with the default).
   */
  base(peftType: string, ownKeys: readonly string[], ignoredKeys: readonly string[] = []): PeftConfig {
    const dict = this.dict;
    const known = new Set<string>([...BASE_CONFIG_KEYS, "modules_to_save", ...ownKeys, ...ignoredKeys]);
    for (const k of Object.keys(dict).filter((key) => !known.has(key))) {
      const near = nearestKey(k, [...known]);
      this.problem(`[peft] unknown ${peftType} config key "${k}"; ${near ? `did you mean "${near}"?` : `valid keys: ${[...known].sort().join(", ")}`}`);
    }
    if (dict.peft_type !== undefined && dict.peft_type !== peftType) {
      this.problem(`[peft] peft_type is "${String(dict.peft_type)}" but this is a ${peftType} config`);
    }
    let task = dict.task_type ?? null;
    if (task !== null && !TASK_TYPES.includes(task as TaskType)) {
      const near = typeof task === "string" ? nearestKey(task.toUpperCase(), [...TASK_TYPES]) : null;
      this.problem(`[peft] task_type "${String(task)}" is not one of ${TASK_TYPES.join(", ")}${near ? `; did you mean "${near}"?` : ""}`);
      task = null;
    }
    return {
      peft_type: peftType,
      task_type: task as TaskType | null,
      base_model_name_or_path: this.string("base_model_name_or_path"),
      revision: this.string("revision"),
      inference_mode: this.bool("inference_mode", false),
      modules_to_save: this.stringList("modules_to_save"),
    };
  }

  string(key: string): string | null {
    const v = this.dict[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") {
      this.problem(`[peft] ${key} must be a string, got ${JSON.stringify(v)}`);
      return null;
    }
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.dict[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "boolean") {
      this.problem(`[peft] ${key} must be true or false, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  }

  number(key: string, dflt: number, check?: (x: number) => boolean, rule = "a number"): number {
    const v = this.dict[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || (check && !check(v))) {
      this.problem(`[peft] ${key} must be ${rule}, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return v;
  }

  stringList(key: string): string[] | null {
    const v = this.dict[key];
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) {
      this.problem(`[peft] ${key} must be a list of module names, got ${JSON.stringify(v)}`);
      return null;
    }
    return [...v];
  }

  /** A list of names or one regex string (PEFT's `Union[list[str], str]`). */
  targets(key: string): string[] | string | null {
    const v = this.dict[key];
    if (typeof v === "string") return v;
    return this.stringList(key);
  }

  intList(key: string): number[] | null {
    const v = this.dict[key];
    if (v === undefined || v === null) return null;
    const list = typeof v === "number" ? [v] : v;
    if (!Array.isArray(list) || !list.every((x) => Number.isInteger(x) && x >= 0)) {
      this.problem(`[peft] ${key} must be a layer index or a list of them, got ${JSON.stringify(v)}`);
      return null;
    }
    return list as number[];
  }

  numberMap(key: string): Record<string, number> {
    const v = this.dict[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v) || !Object.values(v).every((x) => typeof x === "number" && x > 0)) {
      this.problem(`[peft] ${key} must map module names/patterns to positive numbers, got ${JSON.stringify(v)}`);
      return {};
    }
    return { ...(v as Record<string, number>) };
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], dflt: T): T {
    const v = this.dict[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "string" || !allowed.includes(v as T)) {
      const near = typeof v === "string" ? nearestKey(v, [...allowed]) : null;
      this.problem(`[peft] ${key} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}, got ${JSON.stringify(v)}${near ? `; did you mean "${near}"?` : ""}`);
      return dflt;
    }
    return v as T;
  }
}

/**
 * Runs a parser over a dict: the config (null when anything is wrong) and every problem found.
 * A check that throws (PeftConfigError, RangeError, TypeError) ends the parse as one more problem.
 */
export function readConfig<T>(dict: Record<string, unknown>, what: string, parse: (r: ConfigReader) => T): { config: T | null; problems: string[] } {
  if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
    return { config: null, problems: [`[peft] a ${what} config must be an object of PEFT's keys, got ${JSON.stringify(dict)}`] };
  }
  const reader = new ConfigReader(dict);
  try {
    const config = parse(reader);
    return { config: reader.problems.length ? null : config, problems: reader.problems };
  } catch (err) {
    if (!(err instanceof PeftConfigError || err instanceof RangeError || err instanceof TypeError)) throw err;
    return { config: null, problems: [...reader.problems, err.message] };
  }
}

/** The config of readConfig, or one PeftConfigError holding every problem. */
export function parseOrThrow<T>(dict: Record<string, unknown>, what: string, parse: (r: ConfigReader) => T): T {
  const { config, problems } = readConfig(dict, what, parse);
  if (problems.length) throw problemsError(problems, what);
  return config!;
}

/** One error for a config's problems: the problem itself, or a list of them. */
export function problemsError(problems: string[], what: string): PeftConfigError {
  if (problems.length === 1) return new PeftConfigError(problems[0]);
  return new PeftConfigError(`[peft] ${problems.length} problems in the ${what} config:\n${problems.map((p) => `  - ${p}`).join("\n")}`, problems);
}

/**
 * The valid key closest to a misspelt one (edit distance ≤ 2, or ≤ a third of its length,
 * ignoring case), or null: the one "did you mean" of every config section (train/suggest.ts
 * uses it for the run config's other sections).
 */
export function nearestKey(unknown: string, known: string[]): string | null {
  const lower = unknown.toLowerCase();
  const best = known.map((k) => [k, editDistance(lower, k.toLowerCase())] as const).sort((a, b) => a[1] - b[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(unknown.length / 3)) ? best[0] : null;
}

/** Levenshtein distance with adjacent swaps ("lora_alhpa" is one edit from "lora_alpha"). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
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
