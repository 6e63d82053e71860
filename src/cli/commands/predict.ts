/**
 * `tunelab predict config.yaml --input rows.jsonl`: one JSON line per input row with the
 * prediction in the task's terms (label and probabilities, entity tags, answer text; for
 * generation tasks the greedy `completion` of a causal LM or the `generated_text` of a
 * seq2seq model).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadRunConfig } from "../config.js";
import { consoleOutput, loadTokenizer, loadTrainedModel, prepare, savedLabels, trainingArgs, type Output } from "../run.js";
import { trainedModelDir } from "./eval.js";
import { readDataFile } from "../../data/readers.js";
import { Trainer } from "../../train/trainer.js";
import { argmaxOf, bestSpanText } from "../../eval/compute_metrics.js";
import { BadRowLog } from "../../data/bad_rows.js";
import { causalLmPromptIds, type CausalLmOptions } from "../../data/formats/causal_lm.js";
import { seq2seqSourceIds, type Seq2SeqOptions } from "../../data/formats/seq2seq.js";
import { generateText } from "../../generate/text.js";
import type { PreTrainedModel } from "../../models/modeling_utils.js";
import type { RunConfig } from "../config.js";

export interface PredictCommandOptions {
  set?: string[];
  model?: string;
  input: string;
  output?: string;
  /** Generation tasks: the most tokens to generate per row (default 64). */
  max_new_tokens?: number;
}

export const DEFAULT_MAX_NEW_TOKENS = 64;

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export async function predictCommand(configFile: string, opts: PredictCommandOptions, out: Output = consoleOutput): Promise<string> {
  const cfg = loadRunConfig(configFile, opts.set ?? []);
  if (cfg.task === "masked_lm") {
    throw new Error("[predict] task masked_lm fills masks during pretraining; predict covers classification, token classification, extractive QA, causal_lm and seq2seq (use tunelab eval for perplexity)");
  }
  if (cfg.task === "causal_lm" || cfg.task === "seq2seq") return predictGenerations(cfg, opts, out);
  const dir = trainedModelDir(cfg, opts.model);
  const tokenizer = await loadTokenizer(cfg, dir && fs.existsSync(path.join(dir, "tokenizer_config.json")) ? dir : undefined);
  const input = await readDataFile(path.resolve(opts.input), { on_bad_rows: cfg.dataset.on_bad_rows });
  const labels = savedLabels(dir);
  if (!labels && cfg.task !== "extractive_qa") throw new Error(`[predict] ${dir} has no label names in config.json; predict with a model trained by tunelab train (or pass --model)`);
  // Rows without labels are fine: features are built with the trained model's label map.
  const prepared = prepare(cfg, { predict: input }, tokenizer, out, labels);
  const model = await loadTrainedModel(cfg, dir!, prepared.config);
  const trainer = new Trainer({ model, args: trainingArgs(cfg), tokenizer, data_collator: prepared.collator, metric_input_columns: prepared.metric_input_columns, quiet: true });
  const feats = prepared.splits.predict;
  const result = trainer.predict(feats.removeColumns(feats.columnNames.filter((c) => c === "labels" || c === "start_positions" || c === "end_positions")));
  const id2label = (labels?.id2label ?? {}) as Record<string, string>;
  const problem = prepared.config.problem_type;
  // Skipped bad rows (on_bad_rows: skip) shift indices: map each feature back by its source line.
  const byLine = new Map(input.sources.map((src, i) => [src?.line, i]));
  const lines = result.predictions.map((pred, i) => {
    const row = { ...input.rows[byLine.get(feats.sources[i]?.line) ?? i] };
    if (cfg.task === "text_classification") {
      const logits = pred as number[];
      if (problem === "regression") return { ...row, prediction: logits.length === 1 ? logits[0] : logits };
      if (problem === "multi_label_classification") {
        const probs = logits.map((v) => 1 / (1 + Math.exp(-v)));
        return { ...row, labels: probs.flatMap((p, k) => (p > 0.5 ? [id2label[k]] : [])), scores: Object.fromEntries(probs.map((p, k) => [id2label[k], round(p)])) };
      }
      const probs = softmax(logits);
      const k = argmaxOf(probs);
      return { ...row, label: id2label[k], score: round(probs[k]), probabilities: Object.fromEntries(probs.map((p, j) => [id2label[j], round(p)])) };
    }
    if (cfg.task === "token_classification") {
      const wordIds = feats.rows[i].word_ids as (number | null)[];
      const tags: string[] = [];
      (pred as number[][]).forEach((logits, t) => {
        const w = wordIds[t];
        if (w !== null && w !== undefined && tags[w] === undefined) tags[w] = id2label[argmaxOf(logits)];
      });
      return { ...row, predicted_tags: Array.from({ length: (row.tokens as unknown[]).length }, (_, w) => tags[w] ?? "O") };
    }
    const [start, end] = pred as [number[], number[]];
    const f = feats.rows[i];
    return { ...row, answer: bestSpanText(start, end, f.token_char_spans as ([number, number] | null)[], f.context as string, Number(cfg.taskOptions.max_answer_length ?? 30)) };
  });
  const text = lines.map((l) => JSON.stringify(l)).join("\n") + "\n";
  const file = opts.output ? path.resolve(opts.output) : path.join(trainingArgs(cfg).output_dir, "predictions.jsonl");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  out.info(`[predict] ${lines.length} predictions → ${file}`);
  return file;
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;

/** Greedy generation per row: the prompt (causal LM) or source (seq2seq) encoded as training encodes it. */
async function predictGenerations(cfg: RunConfig, opts: PredictCommandOptions, out: Output): Promise<string> {
  const maxNew = opts.max_new_tokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!(Number.isInteger(maxNew) && maxNew > 0)) throw new Error(`[predict] --max-new-tokens must be a positive integer, got ${opts.max_new_tokens}`);
  const dir = trainedModelDir(cfg, opts.model);
  if (!dir) throw new Error("[predict] no model to generate with: train one first (output_dir), pass --model, or set model: to a pretrained folder");
  const tokenizer = await loadTokenizer(cfg, fs.existsSync(path.join(dir, "tokenizer_config.json")) || fs.existsSync(path.join(dir, "tokenizer.json")) ? dir : undefined);
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
  const lines: string[] = [];
  encoded.forEach((ids, i) => {
    if (typeof ids === "string") return;
    const g = generateText(model, tokenizer, ids, { max_new_tokens: maxNew });
    lines.push(JSON.stringify({ ...input.rows[i], [key]: g.text, finish_reason: g.finish_reason }));
  });
  const file = opts.output ? path.resolve(opts.output) : path.join(trainingArgs(cfg).output_dir, "predictions.jsonl");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join("\n") + (lines.length ? "\n" : ""));
  out.info(`[predict] ${lines.length} ${key === "completion" ? "completions" : "generations"} (greedy, max_new_tokens ${maxNew}) → ${file}`);
  return file;
}
