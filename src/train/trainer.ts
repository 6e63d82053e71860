/**
 * Trainer: Hugging Face's training loop for tunelab models. Reads as the loop it runs:
 * batches in a seeded order → forward, loss, backward inside one scope per micro-batch
 * (only numbers leave it) → clip → optimizer step → scheduler step → log / evaluate / save
 * as the strategies say. Checkpoints resume exactly: weights, optimizer, scheduler, RNG and
 * data position are all restored, so a resumed run logs the same losses as an
 * uninterrupted one. The parts it calls on: flow.ts (run length; when to log, evaluate,
 * save), batching.ts (which examples form each step), loss.ts, trainer_checkpoint.ts (what
 * a checkpoint holds beside the weights) and evaluation_loop.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { manualSeed, scope, SeededRandom, type Tensor } from "../tensor/index.js";
import { clipCoefficient, gradNorm, scaleGradients, type LambdaLR, type Optimizer } from "../optim/index.js";
import type { Dataset, Row } from "../data/dataset.js";
import { IterableDataset } from "../data/stream.js";
import { DataCollatorWithPadding, type DataCollator } from "../data/collators.js";
import type { ComputeMetrics, Metrics } from "../eval/compute_metrics.js";
import { perplexityFromSums } from "../eval/perplexity.js";
import { TrainingArguments, type TrainingArgumentsInit } from "./training_args.js";
import { TrainerControl, TrainerState } from "./trainer_state.js";
import { CallbackHandler, metricKey, type CallbackEvent, type CallbackExtras, type TrainerCallback } from "./callbacks.js";
import { JsonlLoggerCallback, ProgressCallback } from "./progress.js";
import { estimateTokens, RunStatsCallback } from "./run_stats.js";
import { epochSeed, indexedStepGroups, streamedStepGroups, type DataPosition } from "./batching.js";
import { decideEpochEndActions, decideStepActions, runLength, stepIntervals } from "./flow.js";
import { createOptimizer, createScheduler } from "./optimizer_setup.js";
import { loadCheckpointWeights, type TrainableModel } from "./model_contract.js";
import { isCausalLm, trainingLoss } from "./loss.js";
import { removeStaleTemporaries } from "./checkpoint_folders.js";
import { OutputDirLock, prepareFreshOutputDir, writeFolderAtomically } from "./output_dir.js";
import { writeJsonAtomic } from "../io/json.js";
import { checkWeightsFinite, DivergenceWatch, LOSS_TOTAL_KEY, type LossTotal } from "./guards.js";
import { resolveResumeCheckpoint, restoreTrainerCheckpoint, saveTrainerCheckpoint, type TrainerParts } from "./trainer_checkpoint.js";
import { broadcast, DataParallel, setCollectiveTimeout } from "../distributed/index.js";
import { shardedEvaluationLoop } from "./distributed_eval.js";

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
  data_collator?: DataCollator | { collate: DataCollator };
  compute_metrics?: ComputeMetrics;
  callbacks?: TrainerCallback[];
  /** Saved beside the weights in every checkpoint (HF's processing_class / tokenizer). */
  tokenizer?: { savePretrained(dir: string): unknown; pad_token_id?: number | null } | null;
  optimizers?: [Optimizer<{ lr: number }>, LambdaLR];
  preprocess_logits_for_metrics?: (logits: Tensor, labels: Tensor | undefined) => Tensor;
  /** Dataset columns compute_metrics needs beside logits (QA: context, token_char_spans, answers). */
  metric_input_columns?: string[];
  /** Add eval_perplexity = exp(eval_loss) (language modelling). */
  report_perplexity?: boolean;
  /** No progress bar or log lines (the JSONL log is still written). */
  quiet?: boolean;
  /** Where progress is printed (default stderr). */
  progress_stream?: { write(s: string): unknown; isTTY?: boolean };
}

export interface TrainOutput {
  global_step: number;
  training_loss: number;
  metrics: Metrics;
}

/** Thrown when a loss or gradient norm is NaN/Inf: training stops before the weights change. */
export class NonFiniteLossError extends Error {
  constructor(readonly step: number, readonly what: string, readonly value: number) {
    super(
      `[trainer] ${what} is ${value} at step ${step}; training stopped before updating the weights (the last checkpoint is intact). ` +
        "Lower learning_rate, set max_grad_norm, or check the data at this step for empty or extreme examples.",
    );
    this.name = "NonFiniteLossError";
  }
}

export class Trainer {
  readonly model: TrainableModel;
  readonly args: TrainingArguments;
  readonly state = new TrainerState();
  readonly control = new TrainerControl();
  readonly callbackHandler: CallbackHandler;
  optimizer: Optimizer<{ lr: number }> | null = null;
  scheduler: LambdaLR | null = null;
  private readonly collate: DataCollator;
  private lossSinceLog = 0;
  private stepsSinceLog = 0;
  private lastEvalWasBest = false;
  private readonly runStats = new RunStatsCallback();
  /** Loss summed over every step of the run, resumed segments included (for train_loss). */
  private lossTotal: LossTotal = { sum: 0, steps: 0 };
  /** Data parallel over MPI when launched by mpirun/srun with several ranks (src/distributed). */
  private readonly dp = DataParallel.fromEnvironment();

  constructor(readonly options: TrainerOptions) {
    this.model = options.model;
    this.args = options.args instanceof TrainingArguments ? options.args : new TrainingArguments(options.args);
    const c = options.data_collator;
    this.collate = typeof c === "function" ? c : c ? c.collate : new DataCollatorWithPadding({ pad_token_id: options.tokenizer?.pad_token_id ?? 0 }).collate;
    // Under data parallelism rank 0 alone logs, prints progress and writes files.
    this.state.is_world_process_zero = this.state.is_local_process_zero = !this.dp || this.dp.rank === 0;
    const builtIn: TrainerCallback[] = this.state.is_world_process_zero ? [new JsonlLoggerCallback(), this.runStats] : [this.runStats];
    if (!options.quiet && !this.args.disable_tqdm && this.state.is_world_process_zero) builtIn.push(new ProgressCallback({ stream: options.progress_stream as NodeJS.WriteStream | undefined }));
    this.callbackHandler = new CallbackHandler([...builtIn, ...(options.callbacks ?? [])]);
    if (this.args.ignoredKeys.length && !options.quiet) {
      console.warn(`[trainer] ignoring training arguments with no effect on CPU: ${this.args.ignoredKeys.join(", ")}`);
    }
  }

  /** The data-parallel group when launched under MPI with several ranks (null otherwise). */
  get dataParallel(): DataParallel | null {
    return this.dp;
  }

  addCallback(cb: TrainerCallback): void {
    this.callbackHandler.add(cb);
  }

  private fire(event: CallbackEvent, extras: CallbackExtras = {}): void {
    this.callbackHandler.fire(event, this.args, this.state, this.control, { model: this.model, ...extras });
  }

  /** Trains while holding output_dir's lock (one run per folder; released at the end). */
  async train(opts: { resume_from_checkpoint?: string | boolean | null } = {}): Promise<TrainOutput> {
    const lock = this.state.is_world_process_zero ? OutputDirLock.acquire(this.args.output_dir) : null;
    try {
      return await this.trainLocked(opts);
    } finally {
      lock?.release();
    }
  }

  private async trainLocked(opts: { resume_from_checkpoint?: string | boolean | null }): Promise<TrainOutput> {
    const args = this.args;
    const train = this.options.train_dataset;
    const streaming = train instanceof IterableDataset;
    if (!train || (!streaming && train.length === 0)) throw new Error("[trainer] train() needs a non-empty train_dataset; pass train_dataset to the Trainer");
    if (streaming && !(args.max_steps > 0)) {
      throw new Error(`[trainer] max_steps must be set to a positive number when train_dataset is an IterableDataset (a stream has no length, so num_train_epochs cannot be turned into steps); got max_steps ${args.max_steps}`);
    }
    if (streaming && args.group_by_length) throw new Error("[trainer] group_by_length needs every example's length up front; a streamed train_dataset has none. Set group_by_length: false");
    if (args.eval_strategy !== "no" && !this.options.eval_dataset) throw new Error(`[trainer] eval_strategy is "${args.eval_strategy}" but no eval_dataset was given; pass eval_dataset or set eval_strategy: "no"`);
    fs.mkdirSync(args.output_dir, { recursive: true });
    if (this.state.is_world_process_zero) removeStaleTemporaries(args.output_dir);
    manualSeed(args.seed);

    const bs = args.per_device_train_batch_size;
    const ga = args.gradient_accumulation_steps;
    const world = this.dp?.size ?? 1;
    const { stepsPerEpoch, maxSteps, numEpochs } = runLength(args, streaming ? null : train.length, world);
    Object.assign(this.state, { max_steps: maxSteps, num_train_epochs: numEpochs, train_batch_size: bs, ...stepIntervals(args, maxSteps) });

    const resumeFrom = resolveResumeCheckpoint(opts.resume_from_checkpoint ?? args.resume_from_checkpoint, args.output_dir);
    if (!resumeFrom && this.state.is_world_process_zero) prepareFreshOutputDir(args.output_dir, args.overwrite_output_dir);
    // Weights first: loading replaces parameter tensors, and the optimizer must hold the new ones.
    if (resumeFrom) loadCheckpointWeights(this.model, resumeFrom);
    if (args.gradient_checkpointing) this.model.gradientCheckpointingEnable?.();
    const [optimizer, scheduler] = this.options.optimizers ?? [createOptimizer(this.model, args), null];
    this.optimizer = optimizer;
    this.scheduler = scheduler ?? createScheduler(optimizer, args, maxSteps);
    const params = this.model.trainableParameters();
    if (this.dp) {
      setCollectiveTimeout(args.ddp_timeout);
      this.dp.setup(params, { bucketCapMb: args.ddp_bucket_cap_mb ?? undefined, overlap: !args.gradient_checkpointing });
    }
    const resumeAt: DataPosition = resumeFrom
      ? restoreTrainerCheckpoint(this.checkpointParts(), resumeFrom, { stepsPerEpoch, streaming, quiet: Boolean(this.options.quiet) })
      : { epoch: 0, batchesInEpoch: 0, examplesInEpoch: 0 };
    const epochsTrained = resumeAt.epoch;
    this.model.train();
    const startStep = this.state.global_step;
    const startTime = performance.now();
    this.lossTotal = (this.state.stateful_callbacks?.[LOSS_TOTAL_KEY] as LossTotal | undefined) ?? { sum: 0, steps: 0 };
    const divergence = new DivergenceWatch(args);
    this.fire("onTrainBegin");
    if (args.eval_on_start && startStep === 0) this.evaluate();

    const dataSeed = args.data_seed ?? args.seed;
    // A run resumed from its final checkpoint has nothing left to train: no extra step.
    outer: for (let epoch = epochsTrained; epoch < numEpochs && this.state.global_step < maxSteps; epoch++) {
      this.control.should_epoch_stop = false;
      this.fire("onEpochBegin");
      const from = epoch === epochsTrained ? resumeAt : { epoch, batchesInEpoch: 0, examplesInEpoch: 0 };
      const groups = streaming
        ? streamedStepGroups(train, from, bs * world, ga, args.dataloader_drop_last)
        : indexedStepGroups(train, { epoch, startBatch: from.batchesInEpoch, seed: dataSeed, batchSize: bs * world, ga, dropLast: args.dataloader_drop_last, groupByLength: args.group_by_length });
      let examplesInEpoch = from.examplesInEpoch ?? 0;
      let exhausted = true;
      for await (const { first, group, stepsInPass } of groups) {
        this.fire("onStepBegin");
        const step = this.state.global_step + 1;
        const stepLoss = this.accumulateGradients(group, { step, epoch, first, dataSeed });
        const norm = gradNorm(params);
        if (!Number.isFinite(norm)) {
          optimizer.zeroGrad();
          throw new NonFiniteLossError(step, "the gradient norm", norm);
        }
        // Clipping's coefficient goes into the optimizer's fused update, not a pass over every gradient.
        const clip = args.max_grad_norm > 0 ? clipCoefficient(norm, args.max_grad_norm) : 1;
        if (clip !== 1 && !optimizer.fusesGradScale) scaleGradients(params, clip);
        this.fire("onPreOptimizerStep");
        optimizer.step(optimizer.fusesGradScale ? clip : 1);
        this.fire("onOptimizerStep");
        this.scheduler.step();
        optimizer.zeroGrad();

        this.state.global_step = step;
        examplesInEpoch += group.reduce((n, rows) => n + rows.length, 0);
        // A stream's pass length is unknown until it ends: epoch counts completed passes.
        this.state.epoch = stepsInPass === null ? epoch : epoch + (Math.floor(first / ga) + 1) / stepsInPass;
        this.lossSinceLog += stepLoss;
        this.stepsSinceLog++;
        this.lossTotal = { sum: this.lossTotal.sum + stepLoss, steps: this.lossTotal.steps + 1 };
        const warning = divergence.observe(step, stepLoss);
        if (warning) console.warn(warning);
        this.control.resetForStep();
        decideStepActions(args, this.state, this.control, step, maxSteps, this.stepsSinceLog);
        this.fire("onStepEnd", { live: { loss: stepLoss, learning_rate: this.scheduler.getLastLr()[0] } });
        this.maybeLogSaveEvaluate(norm, { epoch, batchesInEpoch: first + group.length, examplesInEpoch });
        if (this.control.should_training_stop || this.control.should_epoch_stop) {
          exhausted = false;
          break;
        }
      }
      if (streaming && exhausted) {
        if (examplesInEpoch === 0) throw new Error(`[trainer] the streamed train_dataset yielded no example in epoch ${epoch}${args.dataloader_drop_last ? ` (or none made a full batch of ${bs} with dataloader_drop_last)` : ""}; check the file and the filters`);
        this.state.epoch = epoch + 1;
      }
      this.control.resetForStep();
      this.fire("onEpochEnd");
      decideEpochEndActions(args, this.control);
      const finishedEpoch = streaming ? exhausted : this.state.global_step % stepsPerEpoch === 0;
      this.maybeLogSaveEvaluate(NaN, finishedEpoch ? { epoch: epoch + 1, batchesInEpoch: 0, examplesInEpoch: 0 } : { epoch, batchesInEpoch: -1, examplesInEpoch });
      if (this.control.should_training_stop || this.state.global_step >= maxSteps) break outer;
    }

    this.fire("onTrainEnd");
    if (args.load_best_model_at_end && this.state.best_model_checkpoint) {
      if (!this.options.quiet && this.state.is_world_process_zero) console.error(`[trainer] loading the best model from ${this.state.best_model_checkpoint} (${args.metric_for_best_model} = ${this.state.best_metric})`);
      // Data parallel: rank 0 reads the checkpoint it wrote and sends the trained weights.
      if (this.state.is_world_process_zero) loadCheckpointWeights(this.model, this.state.best_model_checkpoint);
      if (this.dp) for (const p of this.model.trainableParameters()) broadcast(p, 0);
    }
    const runtime = (performance.now() - startTime) / 1000;
    const stepsRun = this.state.global_step - startStep;
    // Over the whole run: a resumed run continues the sum its checkpoint saved.
    const trainLoss = this.lossTotal.steps > 0 ? this.lossTotal.sum / this.lossTotal.steps : 0;
    const metrics: Metrics = {
      train_runtime: round(runtime, 4),
      train_samples_per_second: round((stepsRun * bs * ga * world) / Math.max(runtime, 1e-9), 3),
      train_steps_per_second: round(stepsRun / Math.max(runtime, 1e-9), 3),
      total_flos: this.state.total_flos,
      train_loss: trainLoss,
      ...this.runStats.summary(runtime),
      epoch: this.state.epoch,
    };
    this.log(metrics);
    return { global_step: this.state.global_step, training_loss: trainLoss, metrics };
  }

  /**
   * Forward and backward over one optimizer step's micro-batches, each inside its own scope so
   * only the loss number leaves it; returns the step's mean loss. A non-finite loss stops before
   * any gradient of it is applied.
   */
  private accumulateGradients(group: Row[][], at: { step: number; epoch: number; first: number; dataSeed: number }): number {
    let stepLoss = 0;
    group.forEach((globalRows, k) => {
      // Data parallel: this rank's share of the micro-batch, its loss weighted by that share.
      const rows = this.dp ? this.dp.shard(globalRows) : globalRows;
      const weight = rows.length / globalRows.length / group.length;
      this.dp?.beforeBackward(k === group.length - 1);
      // A per-batch generator keeps collator randomness (MLM masks) replayable on resume.
      const rng = new SeededRandom(epochSeed(at.dataSeed ^ 0x5bd1e995, at.epoch * 1_000_003 + at.first + k));
      let num_tokens = 0;
      const loss = rows.length === 0 ? 0 : scope(() => {
        const inputs = this.collate(rows, { rng });
        num_tokens = estimateTokens(inputs);
        const value = trainingLoss(this.model, inputs, this.args.label_smoothing_factor);
        const v = value.item();
        if (!Number.isFinite(v)) return v;
        (weight !== 1 ? value.mul(weight) : value).backward();
        return v;
      });
      if (!Number.isFinite(loss)) {
        this.optimizer!.zeroGrad();
        throw new NonFiniteLossError(at.step, "the loss", loss);
      }
      stepLoss += loss * weight;
      // Under data parallelism this counts this rank's tokens only (total_flos is rank 0's share).
      this.fire("onSubstepEnd", { num_tokens });
    });
    return this.dp ? this.dp.finishStep(stepLoss) : stepLoss;
  }

  private maybeLogSaveEvaluate(gradNormValue: number, data: DataPosition): void {
    if (this.control.should_log && this.stepsSinceLog > 0) {
      const logs: Record<string, number> = { loss: round(this.lossSinceLog / this.stepsSinceLog, 6) };
      if (Number.isFinite(gradNormValue)) logs.grad_norm = gradNormValue;
      logs.learning_rate = this.scheduler!.getLastLr()[0];
      this.lossSinceLog = 0;
      this.stepsSinceLog = 0;
      this.log(logs);
    }
    this.control.should_log = false;
    if (this.control.should_evaluate) {
      this.evaluate();
      this.control.should_evaluate = false;
      if (this.args.save_strategy === "best" && this.lastEvalWasBest) this.control.should_save = true;
    }
    if (this.control.should_save) {
      // Never write NaN/Inf weights into a checkpoint: "the last checkpoint is intact" must stay true.
      checkWeightsFinite(this.model, this.state.global_step);
      const written = saveTrainerCheckpoint(this.checkpointParts(), data, {
        isBest: this.lastEvalWasBest, streaming: this.options.train_dataset instanceof IterableDataset, write: this.state.is_world_process_zero,
        extraState: { [LOSS_TOTAL_KEY]: this.lossTotal },
      });
      this.lastEvalWasBest = false;
      this.fire("onSave", { checkpoint: written });
      this.control.should_save = false;
    }
  }

  private checkpointParts(): TrainerParts {
    return {
      model: this.model, tokenizer: this.options.tokenizer ?? null, optimizer: this.optimizer!, scheduler: this.scheduler!,
      state: this.state, args: this.args, callbacks: this.callbackHandler.callbacks,
      globalBatchSize: this.args.per_device_train_batch_size * (this.dp?.size ?? 1) * this.args.gradient_accumulation_steps,
    };
  }

  /** Records a new best evaluation (metric_for_best_model) and whether it improved. */
  private trackBest(metrics: Metrics): void {
    this.lastEvalWasBest = false;
    const name = this.args.metric_for_best_model;
    if (!name) return;
    const value = metrics[metricKey(name)];
    if (value === undefined) {
      throw new Error(`[trainer] metric_for_best_model "${name}" is not among the evaluation metrics (${Object.keys(metrics).join(", ")}); pick one of those`);
    }
    const best = this.state.best_metric;
    const better = best === null || (this.args.greater_is_better ? value > best : value < best);
    if (better) {
      this.state.best_metric = value;
      this.state.best_global_step = this.state.global_step;
      this.lastEvalWasBest = true;
    }
  }

  /** Appends to log_history (with epoch and step) and tells the callbacks. */
  log(logs: Record<string, number>): void {
    const entry = { ...logs, epoch: round(this.state.epoch, 4), step: this.state.global_step };
    this.state.log_history.push(entry);
    this.fire("onLog", { logs });
  }

  /** Evaluates on eval_dataset (or the one given): eval_loss, eval_<metric>..., timings. */
  evaluate(opts: { eval_dataset?: Dataset; metric_key_prefix?: string } = {}): Metrics {
    const ds = opts.eval_dataset ?? this.options.eval_dataset;
    if (!ds) throw new Error("[trainer] evaluate() needs an eval_dataset; pass eval_dataset to the Trainer or to evaluate()");
    const prefix = opts.metric_key_prefix ?? "eval";
    const r = shardedEvaluationLoop(this.dp, {
      model: this.model, dataset: ds, collate: this.collate, batchSize: this.args.per_device_eval_batch_size,
      collectPredictions: Boolean(this.options.compute_metrics), inputColumns: this.options.metric_input_columns,
      preprocessLogits: this.options.preprocess_logits_for_metrics, labelSmoothing: this.args.label_smoothing_factor,
      countTokens: this.options.report_perplexity ? (isCausalLm(this.model) ? "shifted" : "all") : undefined,
    });
    const metrics: Metrics = {};
    if (r.loss !== null) metrics[`${prefix}_loss`] = r.loss;
    // exp of the mean loss per scored token (eval_loss averages per example, as HF's does).
    if (this.options.report_perplexity && r.tokenLoss?.count) metrics[`${prefix}_perplexity`] = perplexityFromSums(r.tokenLoss.sum, r.tokenLoss.count);
    if (this.options.compute_metrics) {
      for (const [k, v] of Object.entries(this.options.compute_metrics({ predictions: r.predictions, label_ids: r.label_ids, inputs: r.inputs }))) {
        metrics[k.startsWith(`${prefix}_`) ? k : `${prefix}_${k}`] = v;
      }
    }
    metrics[`${prefix}_runtime`] = round(r.runtime, 4);
    metrics[`${prefix}_samples_per_second`] = round(r.numExamples / Math.max(r.runtime, 1e-9), 3);
    metrics[`${prefix}_steps_per_second`] = round(Math.ceil(r.numExamples / this.args.per_device_eval_batch_size) / Math.max(r.runtime, 1e-9), 3);
    if (prefix === "eval") this.trackBest(metrics);
    this.log(metrics);
    this.fire("onEvaluate", { metrics });
    return metrics;
  }

  /** Predictions (logits per example), label ids when the data has labels, and metrics. */
  predict(dataset: Dataset, opts: { metric_key_prefix?: string } = {}): { predictions: unknown[]; label_ids: unknown[]; metrics: Metrics; inputs?: Record<string, unknown>[] } {
    const prefix = opts.metric_key_prefix ?? "test";
    const r = shardedEvaluationLoop(this.dp, {
      model: this.model, dataset, collate: this.collate, batchSize: this.args.per_device_eval_batch_size,
      collectPredictions: true, inputColumns: this.options.metric_input_columns, preprocessLogits: this.options.preprocess_logits_for_metrics,
      labelSmoothing: this.args.label_smoothing_factor,
    });
    const metrics: Metrics = {};
    if (r.loss !== null) metrics[`${prefix}_loss`] = r.loss;
    if (this.options.compute_metrics && r.label_ids.length) {
      for (const [k, v] of Object.entries(this.options.compute_metrics({ predictions: r.predictions, label_ids: r.label_ids, inputs: r.inputs }))) metrics[`${prefix}_${k}`] = v;
    }
    metrics[`${prefix}_runtime`] = round(r.runtime, 4);
    this.fire("onPredict", { metrics });
    return { predictions: r.predictions, label_ids: r.label_ids, metrics, inputs: r.inputs };
  }

  /** Writes the model (or adapter) and tokenizer to dir (default output_dir), as trainer.save_model. */
  saveModel(dir = this.args.output_dir): void {
    if (!this.state.is_world_process_zero) return;
    checkWeightsFinite(this.model, this.state.global_step);
    // One step: a kill mid-save leaves the folder as it was, never half the files.
    writeFolderAtomically(dir, (staging) => {
      this.model.savePretrained(staging);
      this.options.tokenizer?.savePretrained(staging);
      writeJsonAtomic(path.join(staging, "training_args.json"), this.args.toDict());
    });
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
