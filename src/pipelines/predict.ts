/**
 * Predicting rows with a trained model: each input row comes back with its own fields (gold
 * labels included) and the prediction's fields beside them — predicted_label with its score
 * and every label's probability, predicted_tags, the answer span, or the greedy completion /
 * generated_text of a generation task. When the rows carry gold labels, metrics come too.
 */
import { Dataset, type Row } from "../data/dataset.js";
import { BadRowLog, type BadRowPolicy, type RowSource } from "../data/bad_rows.js";
import { causalLmPromptIds, type CausalLmOptions } from "../data/formats/causal_lm.js";
import { seq2seqSourceIds, type Seq2SeqOptions } from "../data/formats/seq2seq.js";
import { generateTexts } from "../generate/text.js";
import type { GenerativeModel } from "../generate/generate.js";
import { Trainer } from "../train/trainer.js";
import { prepareTask } from "./tasks.js";
import { taskPrediction } from "./predictions.js";
import { loadTrained, type LoadTrainedOptions, type TrainedModel } from "./trained.js";
import { consoleOutput, type Output } from "./run.js";

export const DEFAULT_MAX_NEW_TOKENS = 64;

export interface PredictOptions extends LoadTrainedOptions {
  /** Generation tasks: the most tokens to generate per row (default 64). */
  max_new_tokens?: number;
  /** Rows that cannot be encoded: "fail" (default, all reported at once) or "skip". */
  on_bad_rows?: BadRowPolicy;
  /** Rows per forward pass (default 64). */
  batch_size?: number;
  /** Where warnings about skipped rows go (default the console). */
  out?: Output;
}

export interface PredictResult {
  /** One per predicted row: the input row's fields plus the prediction's. */
  rows: Row[];
  /** For each output row, the index of the input row it came from (skipped rows leave gaps). */
  indices: number[];
  /** Metrics against the rows' gold labels (`predict_accuracy`, `predict_f1`, ...) when every row has one. */
  metrics?: Record<string, number>;
}

/**
 * Predicts rows (a list or a Dataset read from a file, whose lines then name bad rows) with
 * a trained folder or a model loaded by loadTrained.
 */
export async function predict(source: string | TrainedModel, rows: Row[] | Dataset, opts: PredictOptions = {}): Promise<PredictResult> {
  const trained = typeof source === "string" ? await loadTrained(source, opts) : source;
  const given = rows instanceof Dataset ? rows : new Dataset(rows);
  // Every row gets its own source object: features find their row by it, whatever was skipped.
  const sources: RowSource[] = given.rows.map((_, i) => given.sources[i] ?? { file: "(rows)", line: i, item: true });
  const input = new Dataset([...given.rows], sources);
  const out = opts.out ?? consoleOutput;
  if (trained.task === "causal_lm" || trained.task === "seq2seq") return generateRows(trained, input, opts, out);
  if (trained.task === "masked_lm") {
    throw new Error("[predict] task masked_lm fills masks during pretraining; predict covers classification, token classification, extractive QA, causal_lm and seq2seq (evaluate perplexity instead)");
  }
  if (!trained.labels && trained.task !== "extractive_qa") {
    throw new Error(`[predict] ${trained.dir} has no label names in config.json (id2label); predict with a model trained by tunelab train, or give its task head's folder`);
  }
  const prepared = prepareTask(trained.task, { predict: input }, trained.tokenizer, trained.taskOptions, opts.on_bad_rows ?? "fail", trained.labels);
  for (const w of prepared.warnings) out.warn(w);
  let feats = prepared.splits.predict;
  // Gold labels count only when every row has one (a batch cannot mix labelled and unlabelled rows).
  const gold = feats.length > 0 && feats.rows.every((r) => r.labels !== undefined);
  feats = feats.removeColumns(feats.columnNames.filter((c) => (c === "labels" && !gold) || c === "start_positions" || c === "end_positions"));
  const trainer = new Trainer({
    model: trained.model, args: { output_dir: trained.dir, per_device_eval_batch_size: opts.batch_size ?? 64, report_to: "none" }, tokenizer: trained.tokenizer,
    data_collator: prepared.collator, compute_metrics: gold ? prepared.compute_metrics : undefined, metric_input_columns: prepared.metric_input_columns, quiet: true,
  });
  const result = trainer.predict(feats, { metric_key_prefix: "predict" });
  const labels = {
    id2label: trained.labels?.id2label ?? {},
    problem_type: (trained.model.config as { problem_type?: unknown } | undefined)?.problem_type,
    max_answer_length: Number(trained.taskOptions.max_answer_length ?? 30),
  };
  const byRow = new Map(sources.map((s, i) => [s, i]));
  const indices = feats.sources.map((s, i) => (s && byRow.has(s) ? byRow.get(s)! : i));
  const outRows = result.predictions.map((pred, i) => {
    const row = input.rows[indices[i]];
    return { ...row, ...taskPrediction(trained.task, pred, feats.rows[i], row, labels) };
  });
  const metrics = gold ? Object.fromEntries(Object.entries(result.metrics).filter(([k]) => !k.endsWith("_runtime"))) : undefined;
  return { rows: outRows, indices, ...(metrics ? { metrics } : {}) };
}

/** Greedy generation in batches: the prompt (causal LM) or source (seq2seq) encoded as training encodes it. */
function generateRows(trained: TrainedModel, input: Dataset, opts: PredictOptions, out: Output): PredictResult {
  const maxNew = opts.max_new_tokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!(Number.isInteger(maxNew) && maxNew > 0)) throw new Error(`[predict] max_new_tokens must be a positive integer, got ${opts.max_new_tokens}; e.g. 64`);
  const log = new BadRowLog(opts.on_bad_rows ?? "fail");
  const encoded = input.rows.map((row, i) => {
    const ids = trained.task === "causal_lm"
      ? causalLmPromptIds(row, trained.tokenizer, trained.taskOptions as CausalLmOptions)
      : seq2seqSourceIds(row, trained.tokenizer, trained.taskOptions as Seq2SeqOptions);
    if (typeof ids === "string") log.add(input.sources[i], ids);
    return ids;
  });
  const summary = log.finish(`reading the rows to ${trained.task === "causal_lm" ? "continue" : "translate"}`);
  if (summary) out.warn(summary);
  const key = trained.task === "causal_lm" ? "completion" : "generated_text";
  const todo = encoded.flatMap((ids, i) => (typeof ids === "string" ? [] : [{ ids, i }]));
  // Batches of batch_size prompts, left-padded and decoded together.
  const batchSize = opts.batch_size ?? 64;
  const rows: Row[] = [];
  const indices: number[] = [];
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    const texts = generateTexts(trained.model as unknown as GenerativeModel, trained.tokenizer, batch.map((b) => b.ids), { max_new_tokens: maxNew });
    texts.forEach((g, k) => {
      rows.push({ ...input.rows[batch[k].i], [key]: g.text, finish_reason: g.finish_reason });
      indices.push(batch[k].i);
    });
  }
  return { rows, indices };
}
