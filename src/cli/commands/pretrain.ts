/**
 * `tunelab pretrain config.yaml`: masked-LM or causal-LM pretraining on raw text, from a
 * config.json architecture (random initialisation) or continued from an existing model.
 * The result is a model folder (weights, config, tokenizer) that `tunelab train` fine-tunes.
 */
import * as path from "node:path";
import { loadRunConfig, type ModelSection } from "../config.js";
import { buildRun, consoleOutput, type Output } from "../../pipelines/run.js";
import { writeResults } from "../../pipelines/trained.js";
import { resumeFlag } from "./resume.js";
import { formatNumber } from "../../train/progress.js";
import { readJsonFile } from "../../io/json.js";
import type { TaskName } from "../../pipelines/tasks.js";
import { writeFolderAtomically } from "../../train/output_dir.js";

const ENCODERS = new Set(["bert", "roberta", "distilbert"]);

export interface PretrainCommandOptions {
  set?: string[];
  resume?: string | boolean;
  quiet?: boolean;
}

/**
 * masked_lm for encoder architectures, causal_lm for decoders, when the config names no task:
 * read from the model loaded (name_or_path) or, for a new model, its from_config.
 */
function defaultTaskFor(model: ModelSection): TaskName {
  const source = model.name_or_path ? path.join(model.name_or_path, "config.json") : model.from_config!;
  let modelType: unknown;
  try {
    modelType = (typeof source === "string" ? readJsonFile<Record<string, unknown>>(source) : source).model_type;
  } catch (err) {
    throw new Error(`${(err as Error).message}; or set task: masked_lm or causal_lm`);
  }
  if (typeof modelType !== "string") throw new Error(`${typeof source === "string" ? source : "model.from_config"} has no model_type; set task: masked_lm or causal_lm`);
  return ENCODERS.has(modelType) ? "masked_lm" : "causal_lm";
}

export async function pretrainCommand(configFile: string, opts: PretrainCommandOptions, out: Output = consoleOutput): Promise<Record<string, number>> {
  const cfg = loadRunConfig(configFile, opts.set ?? [], { defaultTask: "masked_lm", taskFromModel: defaultTaskFor });
  for (const note of cfg.notes) out.info(note);
  if (cfg.task !== "masked_lm" && cfg.task !== "causal_lm") {
    throw new Error(`[pretrain] task must be masked_lm or causal_lm, got "${cfg.task}"; use tunelab train for fine-tuning tasks`);
  }
  const run = await buildRun(cfg, { out, quiet: opts.quiet, argDefaults: { save_strategy: "no" } });
  const { trainer, args, prepared } = run;
  const from = cfg.model.name_or_path ? `continuing from ${cfg.model.name_or_path}` : `from a random initialisation (${typeof cfg.model.from_config === "string" ? cfg.model.from_config : "inline config"})`;
  out.info(`[pretrain] ${cfg.task} ${from} on ${run.streamedTrain ? "a stream" : `${prepared.splits.train.length} blocks`} → ${args.output_dir}`);
  const result = await trainer.train({ resume_from_checkpoint: resumeFlag(opts.resume) });
  const all: Record<string, number> = { ...result.metrics };
  if (prepared.splits.validation) Object.assign(all, trainer.evaluate());
  writeFolderAtomically(args.output_dir, (dir) => {
    trainer.saveModel(dir);
    writeResults(dir, all);
  });
  if (all.eval_perplexity !== undefined) out.info(`[pretrain] validation perplexity ${formatNumber(all.eval_perplexity)} (loss ${formatNumber(all.eval_loss)})`);
  out.info(`[pretrain] model saved to ${path.resolve(args.output_dir)}`);
  return all;
}
