/** `tunelab eval config.yaml`: metrics of a trained model (or the configured one) on a split. */
import { loadRunConfig } from "../config.js";
import { consoleOutput, loadSplits, loadStreamingSplits, loadTokenizer, prepare, trainingArgs, type Output } from "../../pipelines/run.js";
import { inspectTrained, loadTrainedModel, trainedModelDir } from "../../pipelines/trained.js";
import { Trainer } from "../../train/trainer.js";
import { formatNumber } from "../../train/progress.js";

export interface EvalCommandOptions {
  set?: string[];
  model?: string;
  split?: string;
}

export async function evalCommand(configFile: string, opts: EvalCommandOptions, out: Output = consoleOutput): Promise<Record<string, number>> {
  const cfg = loadRunConfig(configFile, opts.set ?? []);
  for (const note of cfg.notes) out.info(note);
  const args = trainingArgs(cfg);
  const dir = trainedModelDir(cfg, args.output_dir, opts.model);
  const info = inspectTrained(dir, { task: cfg.task, taskOptions: cfg.taskOptions });
  const split = opts.split ?? "validation";
  const tokenizer = await loadTokenizer(cfg, dir);
  // A streamed config's train file may not fit in memory: read only the evaluation splits.
  const splits = cfg.dataset.streaming ? (await loadStreamingSplits(cfg, out, split === "validation")).splits : await loadSplits(cfg, out, split === "validation");
  if (!splits[split]) throw new Error(`[eval] the dataset has no "${split}" split (found: ${Object.keys(splits).join(", ")}); pass --split`);
  // The train split only matters for a label set; language-model tasks evaluate the split alone.
  const withTrain = splits.train && (cfg.task === "text_classification" || cfg.task === "token_classification");
  const prepared = prepare(cfg, { [split]: splits[split], ...(withTrain ? { train: splits.train } : {}) }, tokenizer, out, info.labels);
  const model = await loadTrainedModel(info, { model: cfg.model, overrides: prepared.config });
  const trainer = new Trainer({
    model, args, tokenizer, data_collator: prepared.collator, compute_metrics: prepared.compute_metrics,
    metric_input_columns: prepared.metric_input_columns, report_perplexity: prepared.report_perplexity, quiet: true,
  });
  const metrics = trainer.evaluate({ eval_dataset: prepared.splits[split], metric_key_prefix: split === "validation" ? "eval" : split });
  out.info(`[eval] ${dir} on ${split} (${prepared.splits[split].length} examples)`);
  for (const [k, v] of Object.entries(metrics)) out.info(`  ${k}: ${formatNumber(v)}`);
  return metrics;
}
