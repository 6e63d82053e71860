import type { TaskName } from "../pipelines/tasks.js";
import type { RunConfig as LibraryRunConfig, ModelSection, DatasetSection } from "../pipelines/config.js";
export declare const SECTIONS: readonly ["model", "tokenizer", "task", "dataset", "method", "peft", "quantization", "training", "early_stopping"];
export type { ModelSection, DatasetSection };
/** A validated config: every section present (defaults filled in), paths absolute. */
export type RunConfig = Required<LibraryRunConfig>;
export declare class ConfigError extends Error {
    readonly source: string;
    readonly problems: string[];
    constructor(source: string, problems: string[]);
}
/** Parses a YAML file with line numbers in syntax errors. */
export declare function readYamlFile(file: string): Record<string, unknown>;
/** Applies `--set a.b=value` overrides (values parsed as YAML scalars: numbers, booleans, lists). */
export declare function applyOverrides(raw: Record<string, unknown>, sets: string[]): Record<string, unknown>;
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
export declare function validateConfig(raw: Record<string, unknown>, source: string, baseDir: string, opts?: ValidateOptions): RunConfig;
/** Reads, overrides and validates a config file. */
export declare function loadRunConfig(file: string, sets?: string[], opts?: Omit<ValidateOptions, "requirePaths">): RunConfig;
