/**
 * Tasks: for each kind of fine-tuning, which model head to load, how rows become features,
 * which collator batches them and which metrics judge them. The CLI and library users
 * share this table, so `task: token_classification` means the same thing everywhere.
 */
import type { AutoTask } from "../models/auto.js";
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import { Dataset } from "../data/dataset.js";
import { type BadRowPolicy } from "../data/bad_rows.js";
import { type LabelMap } from "../data/formats/classification.js";
import { pack } from "../data/formats/causal_lm.js";
import { type DataCollator } from "../data/collators.js";
import { type ComputeMetrics } from "../eval/compute_metrics.js";
export type TaskName = "text_classification" | "token_classification" | "causal_lm" | "masked_lm" | "seq2seq" | "extractive_qa";
export declare const TASK_ALIASES: Record<string, TaskName>;
/** Options each task reads from the YAML `task:` section (besides `type`). */
export declare const TASK_OPTIONS: Record<TaskName, string[]>;
export declare const AUTO_TASK: Record<TaskName, AutoTask>;
/** The default metric_for_best_model per task (HF-style names without eval_). */
export declare const DEFAULT_METRIC: Record<TaskName, string>;
export declare function resolveTaskName(name: unknown): TaskName | string;
export interface TaskOptions {
    [key: string]: unknown;
}
export interface PreparedTask {
    task: TaskName;
    splits: Record<string, Dataset>;
    collator: DataCollator;
    compute_metrics?: ComputeMetrics;
    metric_input_columns?: string[];
    report_perplexity?: boolean;
    /** Overrides for the model config (labels, problem_type). */
    config: Record<string, unknown>;
    /** Messages about skipped bad rows, for the caller to print. */
    warnings: string[];
    labelMap?: LabelMap;
}
/** Turns raw splits into features for the task; the label map comes from "train" (or the first split). */
export declare function prepareTask(taskName: TaskName, splits: Record<string, Dataset>, tokenizer: PreTrainedTokenizer, opts?: TaskOptions, policy?: BadRowPolicy, fixedLabels?: {
    id2label: Record<string, string>;
} | null): PreparedTask;
export { pack };
