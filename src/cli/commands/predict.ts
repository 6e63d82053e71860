/**
 * `tunelab predict config.yaml --input rows.jsonl`: one JSON line per input row, its own
 * fields (gold labels included) plus the prediction's (predicted_label and probabilities,
 * predicted_tags, answer; for generation tasks the greedy `completion` of a causal LM or the
 * `generated_text` of a seq2seq model). Metrics are printed when the rows carry gold labels.
 */
import * as path from "node:path";
import { loadRunConfig } from "../config.js";
import { consoleOutput, trainingArgs, type Output } from "../../pipelines/run.js";
import { loadTrained, trainedModelDir } from "../../pipelines/trained.js";
import { DEFAULT_MAX_NEW_TOKENS, predict } from "../../pipelines/predict.js";
import { readDataFile } from "../../data/readers.js";
import { writeFileAtomic } from "../../io/json.js";
import { formatNumber } from "../../train/progress.js";

export { DEFAULT_MAX_NEW_TOKENS };

export interface PredictCommandOptions {
  set?: string[];
  model?: string;
  input: string;
  output?: string;
  /** Generation tasks: the most tokens to generate per row (default 64). */
  max_new_tokens?: number;
}

export async function predictCommand(configFile: string, opts: PredictCommandOptions, out: Output = consoleOutput): Promise<string> {
  const cfg = loadRunConfig(configFile, opts.set ?? []);
  for (const note of cfg.notes) out.info(note);
  if (cfg.task === "masked_lm") {
    throw new Error("[predict] task masked_lm fills masks during pretraining; predict covers classification, token classification, extractive QA, causal_lm and seq2seq (use tunelab eval for perplexity)");
  }
  const maxNew = opts.max_new_tokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!(Number.isInteger(maxNew) && maxNew > 0)) throw new Error(`[predict] --max-new-tokens must be a positive integer, got ${opts.max_new_tokens}; pass e.g. --max-new-tokens 64`);
  const args = trainingArgs(cfg);
  const dir = trainedModelDir(cfg, args.output_dir, opts.model);
  const trained = await loadTrained(dir, { task: cfg.task, taskOptions: cfg.taskOptions, model: cfg.model, tokenizer: cfg.tokenizer });
  // A headerless training file's column names (dataset.column_names) name the input's columns too.
  const input = await readDataFile(path.resolve(opts.input), { on_bad_rows: cfg.dataset.on_bad_rows, warn: out.warn, column_names: cfg.dataset.column_names, header: cfg.dataset.header });
  const result = await predict(trained, input, { max_new_tokens: maxNew, on_bad_rows: cfg.dataset.on_bad_rows, batch_size: args.per_device_eval_batch_size, out });
  const file = opts.output ? path.resolve(opts.output) : path.join(args.output_dir, "predictions.jsonl");
  const lines = result.rows.map((r) => JSON.stringify(r));
  writeFileAtomic(file, lines.join("\n") + (lines.length ? "\n" : ""));
  const generation = `(greedy, max_new_tokens ${maxNew}, batches of ${args.per_device_eval_batch_size})`;
  const what = cfg.task === "causal_lm" ? `completions ${generation}` : cfg.task === "seq2seq" ? `generations ${generation}` : "predictions";
  out.info(`[predict] ${lines.length} ${what} → ${file}`);
  if (result.metrics) out.info(`[predict] against the input's gold labels: ${Object.entries(result.metrics).map(([k, v]) => `${k} ${formatNumber(v)}`).join(" | ")}`);
  return file;
}
