/**
 * `tunelab predict config.yaml --input rows.jsonl`: one JSON line per input row with the
 * prediction in the task's terms (label and probabilities, entity tags, answer text; for
 * generation tasks the greedy `completion` of a causal LM or the `generated_text` of a
 * seq2seq model).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadRunConfig, type RunConfig } from "../config.js";
import { consoleOutput, loadTokenizer, loadTrainedModel, prepare, savedLabels, trainedModelDir, trainingArgs, type Output } from "../run.js";
import { readDataFile } from "../../data/readers.js";
import { Trainer } from "../../train/trainer.js";
import type { TrainingArguments } from "../../train/training_args.js";
import { taskPrediction } from "../../train/predictions.js";
import { BadRowLog } from "../../data/bad_rows.js";
import { causalLmPromptIds, type CausalLmOptions } from "../../data/formats/causal_lm.js";
import { seq2seqSourceIds, type Seq2SeqOptions } from "../../data/formats/seq2seq.js";
import { generateTexts } from "../../generate/text.js";
import type { PreTrainedModel } from "../../models/modeling_utils.js";

export interface PredictCommandOptions {
  set?: string[];
  model?: string;
  input: string;
  output?: string;
  /** Generation tasks: the most tokens to generate per row (default 64). */
  max_new_tokens?: number;
}

export const DEFAULT_MAX_NEW_TOKENS = 64;

export async function predictCommand(configFile: string, opts: PredictCommandOptions, out: Output = consoleOutput): Promise<string> {
  const cfg = loadRunConfig(configFile, opts.set ?? []);
  if (cfg.task === "masked_lm") {
    throw new Error("[predict] task masked_lm fills masks during pretraining; predict covers classification, token classification, extractive QA, causal_lm and seq2seq (use tunelab eval for perplexity)");
  }
  const args = trainingArgs(cfg);
  if (cfg.task === "causal_lm" || cfg.task === "seq2seq") return predictGenerations(cfg, args, opts, out);
  const dir = trainedModelDir(cfg, args, opts.model);
  const tokenizer = await loadTokenizer(cfg, dir);
  const input = await readDataFile(path.resolve(opts.input), { on_bad_rows: cfg.dataset.on_bad_rows });
  const labels = savedLabels(dir);
  if (!labels && cfg.task !== "extractive_qa") throw new Error(`[predict] ${dir} has no label names in config.json; predict with a model trained by tunelab train (or pass --model)`);
  // Rows without labels are fine: features are built with the trained model's label map.
  const prepared = prepare(cfg, { predict: input }, tokenizer, out, labels);
  const model = await loadTrainedModel(cfg, dir, prepared.config);
  const trainer = new Trainer({ model, args, tokenizer, data_collator: prepared.collator, metric_input_columns: prepared.metric_input_columns, quiet: true });
  const feats = prepared.splits.predict;
  const result = trainer.predict(feats.removeColumns(feats.columnNames.filter((c) => c === "labels" || c === "start_positions" || c === "end_positions")));
  const predictionLabels = { id2label: labels?.id2label ?? {}, problem_type: prepared.config.problem_type, max_answer_length: Number(cfg.taskOptions.max_answer_length ?? 30) };
  // Skipped bad rows (on_bad_rows: skip) shift indices: map each feature back by its source line.
  const byLine = new Map(input.sources.map((src, i) => [src?.line, i]));
  const lines = result.predictions.map((pred, i) => {
    const row = input.rows[byLine.get(feats.sources[i]?.line) ?? i];
    return JSON.stringify({ ...row, ...taskPrediction(cfg.task, pred, feats.rows[i], row, predictionLabels) });
  });
  const file = writePredictions(lines, opts.output, args);
  out.info(`[predict] ${lines.length} predictions → ${file}`);
  return file;
}

/** Greedy generation in batches: the prompt (causal LM) or source (seq2seq) encoded as training encodes it. */
async function predictGenerations(cfg: RunConfig, args: TrainingArguments, opts: PredictCommandOptions, out: Output): Promise<string> {
  const maxNew = opts.max_new_tokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!(Number.isInteger(maxNew) && maxNew > 0)) throw new Error(`[predict] --max-new-tokens must be a positive integer, got ${opts.max_new_tokens}; pass e.g. --max-new-tokens 64`);
  const dir = trainedModelDir(cfg, args, opts.model);
  const tokenizer = await loadTokenizer(cfg, dir);
  const input = await readDataFile(path.resolve(opts.input), { on_bad_rows: cfg.dataset.on_bad_rows });
  const log = new BadRowLog(cfg.dataset.on_bad_rows ?? "fail");
  const encoded = input.rows.map((row, i) => {
    const ids = cfg.task === "causal_lm" ? causalLmPromptIds(row, tokenizer, cfg.taskOptions as CausalLmOptions) : seq2seqSourceIds(row, tokenizer, cfg.taskOptions as Seq2SeqOptions);
    if (typeof ids === "string") log.add(input.sources[i], ids);
    return ids;
  });
  const summary = log.finish(`reading the rows to ${cfg.task === "causal_lm" ? "continue" : "translate"}`);
  if (summary) out.warn(summary);
  const model = (await loadTrainedModel(cfg, dir, {})) as PreTrainedModel;
  const key = cfg.task === "causal_lm" ? "completion" : "generated_text";
  const rows = encoded.flatMap((ids, i) => (typeof ids === "string" ? [] : [{ ids, row: input.rows[i] }]));
  // Batches of per_device_eval_batch_size prompts, left-padded and decoded together.
  const batchSize = args.per_device_eval_batch_size;
  const lines: string[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const texts = generateTexts(model, tokenizer, batch.map((r) => r.ids), { max_new_tokens: maxNew });
    texts.forEach((g, i) => lines.push(JSON.stringify({ ...batch[i].row, [key]: g.text, finish_reason: g.finish_reason })));
  }
  const file = writePredictions(lines, opts.output, args);
  out.info(`[predict] ${lines.length} ${key === "completion" ? "completions" : "generations"} (greedy, max_new_tokens ${maxNew}, batches of ${batchSize}) → ${file}`);
  return file;
}

/** Writes JSON Lines to --output (default <output_dir>/predictions.jsonl); returns the file. */
function writePredictions(lines: string[], output: string | undefined, args: TrainingArguments): string {
  const file = output ? path.resolve(output) : path.join(args.output_dir, "predictions.jsonl");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join("\n") + (lines.length ? "\n" : ""));
  return file;
}
