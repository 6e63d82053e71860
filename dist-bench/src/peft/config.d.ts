/**
 * PeftConfig: the fields every PEFT method shares (PEFT's `PeftConfig`/`PromptLearningConfig`
 * keys verbatim), the typed error every config check throws, the hooks a method provides, and
 * ConfigReader, which every method's config parser reads its dict through.
 */
import type { Module } from "../nn/index.js";
import type { PreTrainedModel, ModelInputs } from "../models/modeling_utils.js";
export type TaskType = "SEQ_CLS" | "SEQ_2_SEQ_LM" | "CAUSAL_LM" | "TOKEN_CLS" | "QUESTION_ANS" | "FEATURE_EXTRACTION";
export declare const TASK_TYPES: readonly TaskType[];
/** Thrown for every invalid PEFT configuration or adapter file; `problems` lists each one found. */
export declare class PeftConfigError extends Error {
    name: string;
    readonly problems: string[];
    constructor(message: string, problems?: string[]);
}
/** Keys every adapter_config.json may hold (PEFT's PeftConfig). */
export declare const BASE_CONFIG_KEYS: readonly ["peft_type", "task_type", "base_model_name_or_path", "revision", "inference_mode", "auto_mapping", "peft_version"];
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
    tokenizer?: {
        encode(text: string): number[];
    };
    /** Set when the adapter's weights are about to be loaded from a file (no init work, saved layouts). */
    fromSaved?: boolean;
}
/**
 * Reads one config dict: each typed reader names the key and the value it got, notes a bad
 * value as a problem and reads it as the default, so one pass finds every problem (a CLI
 * reports them all together). Parsers take a reader; readConfig runs one and returns the
 * config with its problems, parseOrThrow throws them — no global mode switch.
 */
export declare class ConfigReader {
    readonly dict: Record<string, unknown>;
    readonly problems: string[];
    constructor(dict: Record<string, unknown>);
    problem(message: string): void;
    /**
     * Checks the dict against a method's known keys and builds the shared base fields. Each
     * unknown key is a problem naming it and the nearest valid key (a typo like `lora_alhpa`
     * must not silently train with the default).
     */
    base(peftType: string, ownKeys: readonly string[], ignoredKeys?: readonly string[]): PeftConfig;
    string(key: string): string | null;
    bool(key: string, dflt: boolean): boolean;
    number(key: string, dflt: number, check?: (x: number) => boolean, rule?: string): number;
    stringList(key: string): string[] | null;
    /** A list of names or one regex string (PEFT's `Union[list[str], str]`). */
    targets(key: string): string[] | string | null;
    intList(key: string): number[] | null;
    numberMap(key: string): Record<string, number>;
    oneOf<T extends string>(key: string, allowed: readonly T[], dflt: T): T;
}
/**
 * Runs a parser over a dict: the config (null when anything is wrong) and every problem found.
 * A check that throws (PeftConfigError, RangeError, TypeError) ends the parse as one more problem.
 */
export declare function readConfig<T>(dict: Record<string, unknown>, what: string, parse: (r: ConfigReader) => T): {
    config: T | null;
    problems: string[];
};
/** The config of readConfig, or one PeftConfigError holding every problem. */
export declare function parseOrThrow<T>(dict: Record<string, unknown>, what: string, parse: (r: ConfigReader) => T): T;
/** One error for a config's problems: the problem itself, or a list of them. */
export declare function problemsError(problems: string[], what: string): PeftConfigError;
/** The valid key closest to a misspelt one (edit distance ≤ 2, or ≤ a third of its length), or null. */
export declare function nearestKey(unknown: string, known: string[]): string | null;
/** The config as adapter_config.json holds it: PEFT's keys, sorted. */
export declare function configToJson(config: PeftConfig): Record<string, unknown>;
