import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import type { TrainableModel } from "../train/model_contract.js";
import type { Trainer } from "../train/trainer.js";
import { type TaskName, type TaskOptions } from "./tasks.js";
import type { ModelSection, RunConfig } from "./config.js";
/** Written beside a saved model by saveTrained: the task and its options, so a folder predicts alone. */
export declare const TASK_FILE = "tunelab_task.json";
export interface TrainedInfo {
    dir: string;
    task: TaskName;
    taskOptions: TaskOptions;
    /** The trained head's label names (classification, token classification), or null. */
    labels: {
        id2label: Record<string, string>;
    } | null;
    /** adapter_config.json is there: the weights go onto a base model. */
    adapter: boolean;
    /** The adapter's base model (adapter_config.json's base_model_name_or_path), if any. */
    base_model_name_or_path?: string;
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
/** What a trained folder is, without loading weights. */
export declare function inspectTrained(dir: string, opts?: Pick<LoadTrainedOptions, "task" | "taskOptions">): TrainedInfo;
/** The model of a trained folder: a full model, or an adapter on its base model. */
export declare function loadTrainedModel(info: TrainedInfo, opts?: LoadTrainedOptions): Promise<TrainableModel>;
/** Task, labels, tokenizer and model of a trained folder, ready for predict() or a Trainer. */
export declare function loadTrained(dir: string, opts?: LoadTrainedOptions): Promise<TrainedModel>;
/**
 * The folder eval/predict use: the one given, else output_dir when it holds a saved model,
 * else the config's own model.
 */
export declare function trainedModelDir(cfg: RunConfig, outputDir: string, given?: string): string;
/**
 * Saves a finished run: the model (or adapter) and tokenizer, the task file, and beside an
 * adapter the task model's config.json (its label names; the weights stay the base's).
 */
export declare function saveTrained(run: {
    trainer: Trainer;
    model: TrainableModel;
    config: Pick<RunConfig, "task" | "taskOptions">;
}, dir: string): void;
/** HF's example scripts write all_results.json plus train_/eval_ files. */
export declare function writeResults(dir: string, metrics: Record<string, number>): void;
