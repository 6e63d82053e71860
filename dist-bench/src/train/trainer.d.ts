import { type Tensor } from "../tensor/index.js";
import { type LambdaLR, type Optimizer } from "../optim/index.js";
import type { Dataset } from "../data/dataset.js";
import { IterableDataset } from "../data/stream.js";
import { type DataCollator } from "../data/collators.js";
import type { ComputeMetrics, Metrics } from "../eval/compute_metrics.js";
import { TrainingArguments, type TrainingArgumentsInit } from "./training_args.js";
import { TrainerControl, TrainerState } from "./trainer_state.js";
import { CallbackHandler, type TrainerCallback } from "./callbacks.js";
import { type TrainableModel } from "./model_contract.js";
import { DataParallel } from "../distributed/index.js";
export interface TrainerOptions {
    model: TrainableModel;
    args: TrainingArguments | TrainingArgumentsInit;
    /**
     * In memory (shuffled each epoch by the trainer), or streamed: an IterableDataset read as
     * training goes (needs max_steps; its order is its own, e.g. `.shuffle({ seed, buffer_size })`).
     */
    train_dataset?: Dataset | IterableDataset;
    eval_dataset?: Dataset;
    /** A collator function or object with `collate` (default: dynamic padding with the tokenizer's pad id). */
    data_collator?: DataCollator | {
        collate: DataCollator;
    };
    compute_metrics?: ComputeMetrics;
    callbacks?: TrainerCallback[];
    /** Saved beside the weights in every checkpoint (HF's processing_class / tokenizer). */
    tokenizer?: {
        savePretrained(dir: string): unknown;
        pad_token_id?: number | null;
    } | null;
    optimizers?: [Optimizer<{
        lr: number;
    }>, LambdaLR];
    preprocess_logits_for_metrics?: (logits: Tensor, labels: Tensor | undefined) => Tensor;
    /** Dataset columns compute_metrics needs beside logits (QA: context, token_char_spans, answers). */
    metric_input_columns?: string[];
    /** Add eval_perplexity = exp(eval_loss) (language modelling). */
    report_perplexity?: boolean;
    /** No progress bar or log lines (the JSONL log is still written). */
    quiet?: boolean;
    /** Where progress is printed (default stderr). */
    progress_stream?: {
        write(s: string): unknown;
        isTTY?: boolean;
    };
}
export interface TrainOutput {
    global_step: number;
    training_loss: number;
    metrics: Metrics;
}
/** Thrown when a loss or gradient norm is NaN/Inf: training stops before the weights change. */
export declare class NonFiniteLossError extends Error {
    readonly step: number;
    readonly what: string;
    readonly value: number;
    constructor(step: number, what: string, value: number);
}
export declare class Trainer {
    readonly options: TrainerOptions;
    readonly model: TrainableModel;
    readonly args: TrainingArguments;
    readonly state: TrainerState;
    readonly control: TrainerControl;
    readonly callbackHandler: CallbackHandler;
    optimizer: Optimizer<{
        lr: number;
    }> | null;
    scheduler: LambdaLR | null;
    private readonly collate;
    private lossSinceLog;
    private stepsSinceLog;
    private lastEvalWasBest;
    /** Loss summed over every step of the run, resumed segments included (for train_loss). */
    private lossTotal;
    /** Data parallel over MPI when launched by mpirun/srun with several ranks (src/distributed). */
    private readonly dp;
    constructor(options: TrainerOptions);
    /** The data-parallel group when launched under MPI with several ranks (null otherwise). */
    get dataParallel(): DataParallel | null;
    addCallback(cb: TrainerCallback): void;
    private fire;
    /** Trains while holding output_dir's lock (one run per folder; released at the end). */
    train(opts?: {
        resume_from_checkpoint?: string | boolean | null;
    }): Promise<TrainOutput>;
    private trainLocked;
    /**
     * Forward and backward over one optimizer step's micro-batches, each inside its own scope so
     * only the loss number leaves it; returns the step's mean loss. A non-finite loss stops before
     * any gradient of it is applied.
     */
    private accumulateGradients;
    private maybeLogSaveEvaluate;
    private checkpointParts;
    /** Records a new best evaluation (metric_for_best_model) and whether it improved. */
    private trackBest;
    /** Appends to log_history (with epoch and step) and tells the callbacks. */
    log(logs: Record<string, number>): void;
    /** Evaluates on eval_dataset (or the one given): eval_loss, eval_<metric>..., timings. */
    evaluate(opts?: {
        eval_dataset?: Dataset;
        metric_key_prefix?: string;
    }): Metrics;
    /** Predictions (logits per example), label ids when the data has labels, and metrics. */
    predict(dataset: Dataset, opts?: {
        metric_key_prefix?: string;
    }): {
        predictions: unknown[];
        label_ids: unknown[];
        metrics: Metrics;
        inputs?: Record<string, unknown>[];
    };
    /** Writes the model (or adapter) and tokenizer to dir (default output_dir), as trainer.save_model. */
    saveModel(dir?: string): void;
}
