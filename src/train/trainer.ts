/**
 * Trainer: Hugging Face's training loop for tunelab models. Reads as the loop it runs:
 * batches in a seeded order → forward, loss, backward inside one scope per micro-batch
 * (only numbers leave it) → clip → optimizer step → scheduler step → log / evaluate / save
 * as the strategies say. Checkpoints resume exactly: weights, optimizer, scheduler, RNG and
 * data position are all restored, so a resumed run logs the same losses as an
 * uninterrupted one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crossEntropy, manualSeed, scope, SeededRandom, type Tensor } from "../tensor/index.js";
import { clipGradNorm, gradNorm, type LambdaLR, type Optimizer } from "../optim/index.js";
import type { Dataset } from "../data/dataset.js";
import { IterableDataset } from "../data/stream.js";
import { DataCollatorWithPadding, type DataCollator } from "../data/collators.js";
import type { ComputeMetrics, Metrics } from "../eval/compute_metrics.js";
import { perplexityFromSums } from "../eval/perplexity.js";
import { TrainingArguments, type TrainingArgumentsInit } from "./training_args.js";
import { TrainerControl, TrainerState } from "./trainer_state.js";
import { CallbackHandler, metricKey, type CallbackEvent, type CallbackExtras, type TrainerCallback } from "./callbacks.js";
import { JsonlLoggerCallback, ProgressCallback } from "./progress.js";
import { batchOrder, epochSeed, numBatches, streamedStepGroups, type DataPosition, type StepGroup } from "./batching.js";
import { createOptimizer, createScheduler } from "./optimizer_setup.js";
import { loadCheckpointWeights, type TrainableModel } from "./model_contract.js";
import { evaluationLoop } from "./evaluation_loop.js";
import {
  getLastCheckpoint, loadOptimizerState, loadRngState, loadSchedulerState, removeStaleTemporaries, restoreRngState, rotateCheckpoints, saveCheckpoint,
} from "./checkpoint.js";

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

  constructor(readonly options: TrainerOptions) {
    this.model = options.model;
    this.args = options.args instanceof TrainingArguments ? options.args : new TrainingArguments(options.args);
    const c = options.data_collator;
    this.collate = typeof c === "function" ? c : c ? c.collate : new DataCollatorWithPadding({ pad_token_id: options.tokenizer?.pad_token_id ?? 0 }).collate;
    const builtIn: TrainerCallback[] = [new JsonlLoggerCallback()];
    if (!options.quiet && !this.args.disable_tqdm) builtIn.push(new ProgressCallback({ stream: options.progress_stream as NodeJS.WriteStream | undefined }));
    this.callbackHandler = new CallbackHandler([...builtIn, ...(options.callbacks ?? [])]);
    if (this.args.ignoredKeys.length && !options.quiet) {
      console.warn(`[trainer] ignoring training arguments with no effect on CPU: ${this.args.ignoredKeys.join(", ")}`);
    }
  }

  addCallback(cb: TrainerCallback): void {
    this.callbackHandler.add(cb);
  }

  private fire(event: CallbackEvent, extras: CallbackExtras = {}): void {
    this.callbackHandler.fire(event, this.args, this.state, this.control, { model: this.model, ...extras });
  }

  /** Steps given as a fraction of the run (0 < x < 1) become a count, as HF does. */
  private resolveSteps(value: number | null, maxSteps: number): number {
    if (value === null) return 0;
    return value < 1 ? Math.ceil(maxSteps * value) : value;
  }

  async train(opts: { resume_from_checkpoint?: string | boolean | null } = {}): Promise<TrainOutput> {
    const args = this.args;
    const train = this.options.train_dataset;
    const streaming = train instanceof IterableDataset;
    if (!train || (!streaming && train.length === 0)) throw new Error("[trainer] train() needs a non-empty train_dataset");
    if (streaming && !(args.max_steps > 0)) {
      throw new Error(`[trainer] max_steps must be set to a positive number when train_dataset is an IterableDataset (a stream has no length, so num_train_epochs cannot be turned into steps); got max_steps ${args.max_steps}`);
    }
    if (streaming && args.group_by_length) throw new Error("[trainer] group_by_length needs every example's length up front; a streamed train_dataset has none. Set group_by_length: false");
    if (args.eval_strategy !== "no" && !this.options.eval_dataset) throw new Error(`[trainer] eval_strategy is "${args.eval_strategy}" but no eval_dataset was given`);
    fs.mkdirSync(args.output_dir, { recursive: true });
    removeStaleTemporaries(args.output_dir);
    manualSeed(args.seed);

    const bs = args.per_device_train_batch_size;
    const ga = args.gradient_accumulation_steps;
    // A stream's length is unknown: passes repeat until max_steps (HF sets num_train_epochs to sys.maxsize).
    const batchesPerEpoch = streaming ? Infinity : numBatches(train.length, bs, args.dataloader_drop_last);
    if (batchesPerEpoch === 0) throw new Error(`[trainer] ${(train as Dataset).length} examples make no full batch of ${bs} with dataloader_drop_last`);
    const stepsPerEpoch = Math.max(Math.ceil(batchesPerEpoch / ga), 1);
    const maxSteps = args.max_steps > 0 ? args.max_steps : Math.ceil(args.num_train_epochs * stepsPerEpoch);
    const numEpochs = streaming ? Number.MAX_SAFE_INTEGER : args.max_steps > 0 ? Math.ceil(maxSteps / stepsPerEpoch) : Math.ceil(args.num_train_epochs);

    Object.assign(this.state, {
      max_steps: maxSteps, num_train_epochs: numEpochs, train_batch_size: bs,
      logging_steps: this.resolveSteps(args.logging_steps, maxSteps),
      eval_steps: this.resolveSteps(args.eval_steps ?? args.logging_steps, maxSteps),
      save_steps: this.resolveSteps(args.save_steps, maxSteps),
    });

    let resumeFrom = opts.resume_from_checkpoint ?? args.resume_from_checkpoint;
    if (resumeFrom === true) {
      resumeFrom = getLastCheckpoint(args.output_dir);
      if (!resumeFrom) throw new Error(`[trainer] resume_from_checkpoint is true but ${args.output_dir} holds no complete checkpoint-N folder`);
    }
    const resuming = typeof resumeFrom === "string" && resumeFrom !== "";
    if (resuming && !fs.existsSync(resumeFrom as string)) throw new Error(`[trainer] resume_from_checkpoint: ${resumeFrom} does not exist`);
    // Weights first: loading replaces parameter tensors, and the optimizer must hold the new ones.
    if (resuming) loadCheckpointWeights(this.model, resumeFrom as string);
    if (args.gradient_checkpointing) this.model.gradientCheckpointingEnable?.();
    const [optimizer, scheduler] = this.options.optimizers ?? [createOptimizer(this.model, args), null];
    this.optimizer = optimizer;
    this.scheduler = scheduler ?? createScheduler(optimizer, args, maxSteps);
    const params = this.model.trainableParameters();
    let resumeAt: DataPosition = { epoch: 0, batchesInEpoch: 0, examplesInEpoch: 0 };
    if (resuming) resumeAt = this.resume(resumeFrom as string, stepsPerEpoch, ga, streaming);
    const epochsTrained = resumeAt.epoch;
    this.model.train();
    const startStep = this.state.global_step;
    const startTime = performance.now();
    let totalLoss = 0;
    this.fire("onTrainBegin");
    if (args.eval_on_start && startStep === 0) this.evaluate();

    const dataSeed = args.data_seed ?? args.seed;
    outer: for (let epoch = epochsTrained; epoch < numEpochs; epoch++) {
      this.control.should_epoch_stop = false;
      this.fire("onEpochBegin");
      const from = epoch === epochsTrained ? resumeAt : { epoch, batchesInEpoch: 0, examplesInEpoch: 0 };
      const groups = streaming ? streamedStepGroups(train, from, bs, ga, args.dataloader_drop_last) : this.indexedStepGroups(train, epoch, from.batchesInEpoch, dataSeed);
      let examplesInEpoch = from.examplesInEpoch ?? 0;
      let exhausted = true;
      for await (const { first, group, stepsInPass } of groups) {
        this.fire("onStepBegin");
        const step = this.state.global_step + 1;
        let stepLoss = 0;
        group.forEach((rows, k) => {
          // A per-batch generator keeps collator randomness (MLM masks) replayable on resume.
          const rng = new SeededRandom(epochSeed(dataSeed ^ 0x5bd1e995, epoch * 1_000_003 + first + k));
          const loss = scope(() => {
            const batch = this.collate(rows, { rng });
            const value = this.computeLoss(batch);
            const v = value.item();
            if (!Number.isFinite(v)) return v;
            (group.length > 1 ? value.mul(1 / group.length) : value).backward();
            return v;
          });
          if (!Number.isFinite(loss)) {
            optimizer.zeroGrad();
            throw new NonFiniteLossError(step, "the loss", loss);
          }
          stepLoss += loss / group.length;
          this.fire("onSubstepEnd");
        });
        const norm = args.max_grad_norm > 0 ? clipGradNorm(params, args.max_grad_norm) : gradNorm(params);
        if (!Number.isFinite(norm)) {
          optimizer.zeroGrad();
          throw new NonFiniteLossError(step, "the gradient norm", norm);
        }
        this.fire("onPreOptimizerStep");
        optimizer.step();
        this.fire("onOptimizerStep");
        this.scheduler.step();
        optimizer.zeroGrad();

        this.state.global_step = step;
        examplesInEpoch += group.reduce((n, rows) => n + rows.length, 0);
        // A stream's pass length is unknown until it ends: epoch counts completed passes.
        this.state.epoch = stepsInPass === null ? epoch : epoch + (Math.floor(first / ga) + 1) / stepsInPass;
        this.lossSinceLog += stepLoss;
        this.stepsSinceLog++;
        totalLoss += stepLoss;
        this.control.resetForStep();
        this.decideStepActions(step, maxSteps);
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
      // As HF's DefaultFlowCallback: epoch strategies act at every epoch end, the last one included.
      if (args.logging_strategy === "epoch") this.control.should_log = true;
      if (args.eval_strategy === "epoch") this.control.should_evaluate = true;
      if (args.save_strategy === "epoch") this.control.should_save = true;
      const finishedEpoch = streaming ? exhausted : this.state.global_step % stepsPerEpoch === 0;
      this.maybeLogSaveEvaluate(NaN, finishedEpoch ? { epoch: epoch + 1, batchesInEpoch: 0, examplesInEpoch: 0 } : { epoch, batchesInEpoch: -1, examplesInEpoch });
      if (this.control.should_training_stop || this.state.global_step >= maxSteps) break outer;
    }

    this.fire("onTrainEnd");
    if (args.load_best_model_at_end && this.state.best_model_checkpoint) {
      if (!this.options.quiet) console.error(`[trainer] loading the best model from ${this.state.best_model_checkpoint} (${args.metric_for_best_model} = ${this.state.best_metric})`);
      loadCheckpointWeights(this.model, this.state.best_model_checkpoint);
    }
    const runtime = (performance.now() - startTime) / 1000;
    const stepsRun = this.state.global_step - startStep;
    const trainLoss = stepsRun > 0 ? totalLoss / stepsRun : 0;
    const metrics: Metrics = {
      train_runtime: round(runtime, 4),
      train_samples_per_second: round((stepsRun * bs * ga) / Math.max(runtime, 1e-9), 3),
      train_steps_per_second: round(stepsRun / Math.max(runtime, 1e-9), 3),
      total_flos: 0,
      train_loss: trainLoss,
      epoch: this.state.epoch,
    };
    this.log(metrics);
    return { global_step: this.state.global_step, training_loss: trainLoss, metrics };
  }

  /** The model's loss, or HF's label-smoothed cross-entropy when label_smoothing_factor is set. */
  private computeLoss(batch: Record<string, Tensor>): Tensor {
    const smoothing = this.args.label_smoothing_factor;
    if (smoothing > 0 && batch.labels && batch.labels.dtype === "int32") {
      const { labels, ...inputs } = batch;
      const out = this.model.forward(inputs);
      let logits = out.logits;
      let target = labels;
      if (logits.ndim === 3 && this.isCausalLm()) {
        // Causal LM: position t predicts token t+1.
        const T = logits.shape[1];
        logits = logits.slice(1, 0, T - 1);
        target = labels.slice(1, 1, T);
      }
      return crossEntropy(logits.contiguous(), target.contiguous(), { label_smoothing: smoothing });
    }
    const out = this.model.forward(batch);
    if (!out.loss) {
      throw new Error("[trainer] the model returned no loss: the batch has no labels, or the model does not compute one; check the task's label column and collator");
    }
    return out.loss;
  }

  /** A decoder-only language model: its logits at position t predict the label at t + 1. */
  private isCausalLm(): boolean {
    return /CausalLM|LMHead/.test(this.model.constructor.name);
  }

  /** HF's DefaultFlowCallback decisions for one optimizer step. */
  private decideStepActions(step: number, maxSteps: number): void {
    const a = this.args;
    const s = this.state;
    if (a.logging_strategy === "steps" && ((s.logging_steps > 0 && step % s.logging_steps === 0) || (a.logging_first_step && step === 1))) this.control.should_log = true;
    if (a.eval_strategy === "steps" && s.eval_steps > 0 && step % s.eval_steps === 0 && step >= a.eval_delay) this.control.should_evaluate = true;
    if (a.save_strategy === "steps" && s.save_steps > 0 && step % s.save_steps === 0) this.control.should_save = true;
    if (step >= maxSteps) {
      this.control.should_training_stop = true;
      if (a.logging_strategy === "steps" && this.stepsSinceLog > 0) this.control.should_log = true;
      if (a.eval_strategy === "steps") this.control.should_evaluate = true;
      if (a.save_strategy === "steps") this.control.should_save = true;
    }
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
    let metrics: Metrics | null = null;
    if (this.control.should_evaluate) {
      metrics = this.evaluate();
      this.control.should_evaluate = false;
      if (this.args.save_strategy === "best" && this.lastEvalWasBest) this.control.should_save = true;
    }
    if (this.control.should_save) {
      this.saveCheckpointNow(data);
      this.control.should_save = false;
    }
    void metrics;
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

  private saveCheckpointNow(data: DataPosition): string {
    const dir = path.join(this.args.output_dir, `checkpoint-${this.state.global_step}`);
    if (this.lastEvalWasBest) this.state.best_model_checkpoint = dir;
    this.state.stateful_callbacks = Object.fromEntries(
      this.callbackHandler.callbacks.map((cb, i) => [`${cb.constructor.name}_${i}`, cb.stateDict?.()]).filter(([, v]) => v !== undefined),
    );
    const written = saveCheckpoint(this.args.output_dir, {
      model: this.model,
      tokenizer: this.options.tokenizer ?? null,
      optimizer: this.optimizer!,
      scheduler: this.scheduler!,
      state: this.state,
      args: this.args.toDict(),
      data: {
        epoch: data.epoch, batches_in_epoch: data.batchesInEpoch, seed: this.args.data_seed ?? this.args.seed,
        ...(this.options.train_dataset instanceof IterableDataset ? { examples_in_epoch: data.examplesInEpoch ?? 0 } : {}),
      },
      saveOnlyModel: this.args.save_only_model,
    });
    this.lastEvalWasBest = false;
    rotateCheckpoints(this.args.output_dir, this.args.save_total_limit, this.state.best_model_checkpoint);
    this.fire("onSave", { checkpoint: written });
    return written;
  }

  /** Restores optimizer, scheduler, trainer state and RNG (weights are loaded before); returns where in the data to continue. */
  private resume(dir: string, stepsPerEpoch: number, ga: number, streaming: boolean): DataPosition {
    if (!fs.existsSync(path.join(dir, "optimizer.json"))) {
      throw new Error(`[trainer] ${dir} holds no optimizer state (saved with save_only_model?); it cannot be resumed from, only loaded as a model`);
    }
    this.optimizer!.loadStateDict(loadOptimizerState(dir));
    this.scheduler!.loadStateDict(loadSchedulerState(dir));
    const saved = TrainerState.load(dir);
    for (const key of ["global_step", "epoch", "log_history", "best_metric", "best_global_step", "best_model_checkpoint", "total_flos", "num_input_tokens_seen", "stateful_callbacks"] as const) {
      (this.state as unknown as Record<string, unknown>)[key] = saved[key];
    }
    const cbState = saved.stateful_callbacks ?? {};
    this.callbackHandler.callbacks.forEach((cb, i) => {
      const s = cbState[`${cb.constructor.name}_${i}`];
      if (s && cb.loadStateDict) cb.loadStateDict(s as Record<string, unknown>);
    });
    const rng = loadRngState(dir);
    restoreRngState(rng);
    if (streaming) {
      // A stream cannot be indexed: replay the pass the checkpoint was in and drop what it had consumed.
      const examples = rng.data.examples_in_epoch;
      if (examples === undefined) throw new Error(`[trainer] ${dir} was saved from an in-memory train_dataset (no examples_in_epoch in rng_state.json); resume it with the same kind of dataset`);
      const at = { epoch: rng.data.epoch, batchesInEpoch: Math.max(rng.data.batches_in_epoch, 0), examplesInEpoch: examples };
      if (!this.options.quiet) console.error(`[trainer] resuming from ${dir}: step ${this.state.global_step}, epoch ${at.epoch}, skipping ${examples} streamed examples`);
      return at;
    }
    const epochsTrained = Math.floor(this.state.global_step / stepsPerEpoch);
    const batchesToSkip = (this.state.global_step % stepsPerEpoch) * ga;
    console.error(`[trainer] resuming from ${dir}: step ${this.state.global_step}, epoch ${epochsTrained}, skipping ${batchesToSkip} batches`);
    return { epoch: epochsTrained, batchesInEpoch: batchesToSkip };
  }

  /** An in-memory epoch: the seeded batch order, from a micro-batch on, ga micro-batches per step. */
  private *indexedStepGroups(train: Dataset, epoch: number, startBatch: number, seed: number): Generator<StepGroup> {
    const a = this.args;
    const lengths = a.group_by_length ? train.rows.map((r) => (r.input_ids as unknown[] | undefined)?.length ?? 0) : null;
    const batches = batchOrder({ numExamples: train.length, batchSize: a.per_device_train_batch_size, seed, epoch, dropLast: a.dataloader_drop_last, lengths });
    const ga = a.gradient_accumulation_steps;
    const stepsInPass = Math.ceil(batches.length / ga);
    for (let first = startBatch; first < batches.length; first += ga) {
      yield { first, stepsInPass, group: batches.slice(first, first + ga).map((idx) => idx.map((i) => train.rows[i])) };
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
    if (!ds) throw new Error("[trainer] evaluate() needs an eval_dataset");
    const prefix = opts.metric_key_prefix ?? "eval";
    const r = evaluationLoop({
      model: this.model, dataset: ds, collate: this.collate, batchSize: this.args.per_device_eval_batch_size,
      collectPredictions: Boolean(this.options.compute_metrics), inputColumns: this.options.metric_input_columns,
      preprocessLogits: this.options.preprocess_logits_for_metrics, labelSmoothing: this.args.label_smoothing_factor,
      countTokens: this.options.report_perplexity ? (this.isCausalLm() ? "shifted" : "all") : undefined,
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
    const r = evaluationLoop({
      model: this.model, dataset, collate: this.collate, batchSize: this.args.per_device_eval_batch_size,
      collectPredictions: true, inputColumns: this.options.metric_input_columns, preprocessLogits: this.options.preprocess_logits_for_metrics,
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
    fs.mkdirSync(dir, { recursive: true });
    this.model.savePretrained(dir);
    this.options.tokenizer?.savePretrained(dir);
    fs.writeFileSync(path.join(dir, "training_args.json"), JSON.stringify(this.args.toDict(), null, 2) + "\n");
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
