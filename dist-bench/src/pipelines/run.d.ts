import { type PreTrainedTokenizer } from "../data/tokenizer.js";
import { IterableDataset } from "../data/stream.js";
import type { Dataset } from "../data/dataset.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { Trainer } from "../train/trainer.js";
import { TrainingArguments } from "../train/training_args.js";
import { type TrainerCallback } from "../train/callbacks.js";
import type { TrainableModel } from "../train/model_contract.js";
import { type PreparedTask } from "./tasks.js";
import type { RunConfig } from "./config.js";
/** Where a run's messages go: progress lines, and warnings (skipped rows, truncation). */
export interface Output {
    info(line: string): void;
    warn(line: string): void;
}
export declare const consoleOutput: Output;
/** The config's tokenizer, else the one saved in modelDir (a trained model folder), else the model's. */
export declare function loadTokenizer(cfg: Pick<RunConfig, "tokenizer" | "model">, modelDir?: string): Promise<PreTrainedTokenizer>;
export declare function hasTokenizer(dir: string): boolean;
/** The splits the config names, with validation carved out of train when asked (or needed). */
export declare function loadSplits(cfg: RunConfig, out: Output, needValidation: boolean): Promise<Record<string, Dataset>>;
/**
 * dataset.streaming: the train split as a stream, shuffled with a seeded buffer (data_seed or
 * seed), and the other splits (validation, test) read into memory as usual.
 */
export declare function loadStreamingSplits(cfg: RunConfig, out: Output, needValidation: boolean): Promise<{
    train: IterableDataset;
    splits: Record<string, Dataset>;
}>;
/** Task features for in-memory splits; label names fixed by a trained model when given. */
export declare function prepare(cfg: RunConfig, splits: Record<string, Dataset>, tokenizer: PreTrainedTokenizer, out: Output, fixedLabels?: {
    id2label: Record<string, string>;
} | null): PreparedTask;
export interface LoadModelOptions {
    /** Random initialisation even when name_or_path has weights (the from-scratch baseline). */
    scratch?: boolean;
    quiet?: boolean;
    /** Load from this folder instead of the config's model (a trained run). */
    dir?: string;
}
/**
 * The task model: pretrained weights from a folder/hub id, or a random initialisation from a
 * config (from_config, or `scratch` to ignore the weights of name_or_path: the baseline).
 */
export declare function loadModel(cfg: Pick<RunConfig, "model" | "task"> & Partial<Pick<RunConfig, "method" | "quantization">>, overrides: Record<string, unknown>, opts?: LoadModelOptions): Promise<PreTrainedModel>;
/** TrainingArguments from the config; output_dir defaults to runs/<config file name>. */
export declare function trainingArgs(cfg: RunConfig, defaults?: Record<string, unknown>): TrainingArguments;
export interface BuildRunOptions {
    /** Random initialisation of name_or_path's architecture (the from-scratch baseline). */
    scratch?: boolean;
    /** No progress bars or model-loading notes. */
    quiet?: boolean;
    callbacks?: TrainerCallback[];
    progress_stream?: {
        write(s: string): unknown;
        isTTY?: boolean;
    };
    /** TrainingArguments defaults the config may override (pretrain: save_strategy "no"). */
    argDefaults?: Record<string, unknown>;
    /** Where messages go (default the console). */
    out?: Output;
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
/** Everything a training run needs, ready to call run.trainer.train(). */
export declare function buildRun(cfg: RunConfig, opts?: BuildRunOptions): Promise<Run>;
