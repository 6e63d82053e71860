import { type PreTrainedTokenizer } from "../data/tokenizer.js";
import { IterableDataset } from "../data/stream.js";
import type { Dataset } from "../data/dataset.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { Trainer } from "../train/trainer.js";
import { TrainingArguments } from "../train/training_args.js";
import { type TrainerCallback } from "../train/callbacks.js";
import { type PreparedTask } from "../train/tasks.js";
import type { TrainableModel } from "../train/model_contract.js";
import "../train/peft_methods.js";
import type { RunConfig } from "./config.js";
export interface Output {
    info(line: string): void;
    warn(line: string): void;
}
export declare const consoleOutput: Output;
/** The config's tokenizer, else the one saved in modelDir (a trained model folder), else the model's. */
export declare function loadTokenizer(cfg: RunConfig, modelDir?: string): Promise<PreTrainedTokenizer>;
/** The model eval/predict use: --model, else output_dir when it holds a saved model, else the config's model. */
export declare function trainedModelDir(cfg: RunConfig, args: TrainingArguments, given?: string): string;
/** --resume: alone (or empty) it means the newest checkpoint in output_dir; with a value, that folder. */
export declare function resumeFlag(resume: string | boolean | undefined): string | boolean | undefined;
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
export declare function prepare(cfg: RunConfig, splits: Record<string, Dataset>, tokenizer: PreTrainedTokenizer, out: Output, fixedLabels?: {
    id2label: Record<string, string>;
} | null): PreparedTask;
/** The id2label a trained model folder already has (so eval/predict keep its label order). */
export declare function savedLabels(dir: string | undefined): {
    id2label: Record<string, string>;
} | null;
/**
 * The task model: pretrained weights from a folder/hub id, or a random initialisation from a
 * config (from_config, or `scratch` to ignore the weights of name_or_path: the baseline).
 */
export declare function loadModel(cfg: RunConfig, overrides: Record<string, unknown>, opts?: {
    scratch?: boolean;
    quiet?: boolean;
    dir?: string;
}): Promise<PreTrainedModel>;
export declare function trainingArgs(cfg: RunConfig, defaults?: Record<string, unknown>): TrainingArguments;
export interface BuiltRun {
    tokenizer: PreTrainedTokenizer;
    splits: Record<string, Dataset>;
    prepared: PreparedTask;
    /** dataset.streaming: the train features as a stream (prepared.splits then has no train). */
    streamedTrain?: IterableDataset;
    model: TrainableModel;
    trainer: Trainer;
    args: TrainingArguments;
}
/** Everything `tunelab train` needs, ready to call trainer.train(). */
export declare function buildTrainingRun(cfg: RunConfig, out: Output, opts?: {
    scratch?: boolean;
    quiet?: boolean;
    callbacks?: TrainerCallback[];
    progress_stream?: {
        write(s: string): unknown;
        isTTY?: boolean;
    };
    argDefaults?: Record<string, unknown>;
}): Promise<BuiltRun>;
/** A trained model folder for eval/predict: a full model, or an adapter on the config's base model. */
export declare function loadTrainedModel(cfg: RunConfig, dir: string, overrides: Record<string, unknown>, quiet?: boolean): Promise<TrainableModel>;
/**
 * An adapter folder holds only PEFT's two files; the task model's config.json beside them keeps
 * the label names (id2label) that eval and predict read. The weights still come from the base.
 */
export declare function writeBaseConfigBesideAdapter(model: {
    config?: unknown;
}, dir: string): void;
/** HF's example scripts write all_results.json plus train_/eval_ files. */
export declare function writeResults(dir: string, metrics: Record<string, number>): void;
