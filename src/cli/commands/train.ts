/** `tunelab train config.yaml`: fine-tune, evaluate, save the model and the results. */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadRunConfig } from "../config.js";
import { buildTrainingRun, consoleOutput, type Output } from "../run.js";
import { formatNumber } from "../../train/progress.js";

export interface TrainCommandOptions {
  set?: string[];
  resume?: string | boolean;
  quiet?: boolean;
}

export async function trainCommand(configFile: string, opts: TrainCommandOptions, out: Output = consoleOutput): Promise<Record<string, number>> {
  const cfg = loadRunConfig(configFile, opts.set ?? []);
  const run = await buildTrainingRun(cfg, out, { quiet: opts.quiet });
  const { trainer, args, prepared } = run;
  const examples = run.streamedTrain ? `a stream of ${cfg.dataset.train_file ?? cfg.dataset.path} (max_steps ${args.max_steps})` : `${prepared.splits.train.length} examples`;
  out.info(`[train] ${cfg.task} on ${examples}` + (prepared.splits.validation ? `, validating on ${prepared.splits.validation.length}` : "") + ` → ${args.output_dir}`);
  const resume = opts.resume === undefined ? undefined : opts.resume === true || opts.resume === "" ? true : opts.resume;
  const result = await trainer.train({ resume_from_checkpoint: resume as string | boolean | undefined });
  const all: Record<string, number> = { ...result.metrics };
  if (prepared.splits.validation) Object.assign(all, trainer.evaluate());
  trainer.saveModel(args.output_dir);
  writeBaseConfigBesideAdapter(run.model, args.output_dir);
  writeResults(args.output_dir, all);
  const state = trainer.state;
  if (state.best_model_checkpoint) out.info(`[train] best checkpoint: ${state.best_model_checkpoint} (${args.metric_for_best_model} = ${formatNumber(state.best_metric ?? NaN)})`);
  const shown = Object.entries(all).filter(([k]) => /^eval_(?!runtime|samples|steps)/.test(k)).map(([k, v]) => `${k} ${formatNumber(v)}`);
  if (shown.length) out.info(`[train] final: ${shown.join(" | ")}`);
  out.info(`[train] run folder: ${path.resolve(args.output_dir)}`);
  return all;
}

/**
 * An adapter folder holds only PEFT's two files; the task model's config.json beside them keeps
 * the label names (id2label) that eval and predict read. The weights still come from the base.
 */
export function writeBaseConfigBesideAdapter(model: { config?: unknown }, dir: string): void {
  const config = model.config as { save?(dir: string): void } | undefined;
  if (!fs.existsSync(path.join(dir, "adapter_config.json")) || fs.existsSync(path.join(dir, "config.json")) || typeof config?.save !== "function") return;
  config.save(dir);
}

/** HF's example scripts write all_results.json plus train_/eval_ files. */
export function writeResults(dir: string, metrics: Record<string, number>): void {
  fs.mkdirSync(dir, { recursive: true });
  const pick = (prefix: string) => Object.fromEntries(Object.entries(metrics).filter(([k]) => k.startsWith(prefix) || (prefix === "train_" && k === "epoch")));
  fs.writeFileSync(path.join(dir, "all_results.json"), JSON.stringify(metrics, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "train_results.json"), JSON.stringify(pick("train_"), null, 2) + "\n");
  const ev = pick("eval_");
  if (Object.keys(ev).length) fs.writeFileSync(path.join(dir, "eval_results.json"), JSON.stringify(ev, null, 2) + "\n");
}
