/** `tunelab train config.yaml`: fine-tune, evaluate, save the model and the results. */
import * as path from "node:path";
import { loadRunConfig } from "../config.js";
import { buildRun, consoleOutput, type Output } from "../../pipelines/run.js";
import { saveTrained, writeResults } from "../../pipelines/trained.js";
import { formatNumber } from "../../train/progress.js";
import type { TrainerCallback } from "../../train/callbacks.js";
import { validationConfusionMatrix, writeRunConfig, writeRunInfo } from "../run_record.js";
import { writeRunReport } from "../../report/run_report.js";
import { launchedWorld } from "../../distributed/index.js";
import { resumeFlag } from "./resume.js";
import { writeFolderAtomically } from "../../train/output_dir.js";

export interface TrainCommandOptions {
  set?: string[];
  resume?: string | boolean;
  quiet?: boolean;
  /** Also write the report's charts as PNG files (charts/*.png). */
  png?: boolean;
  /** Extra trainer callbacks (sweeps add their pruning rule). */
  callbacks?: TrainerCallback[];
}

export async function trainCommand(configFile: string, opts: TrainCommandOptions, out: Output = consoleOutput): Promise<Record<string, number>> {
  // Launched as one of several MPI ranks: rank 0 alone prints and writes; the others warn only.
  const isMain = (launchedWorld()?.rank ?? 0) === 0;
  if (!isMain) out = { info: () => {}, warn: out.warn };
  const cfg = loadRunConfig(configFile, opts.set ?? []);
  for (const note of cfg.notes) out.info(note);
  const run = await buildRun(cfg, { quiet: opts.quiet, out, callbacks: opts.callbacks });
  const { trainer, args, prepared } = run;
  const examples = run.streamedTrain ? `a stream of ${cfg.dataset.train_file ?? cfg.dataset.path} (max_steps ${args.max_steps})` : `${prepared.splits.train.length} examples`;
  out.info(`[train] ${cfg.task} on ${examples}` + (prepared.splits.validation ? `, validating on ${prepared.splits.validation.length}` : "") + ` → ${args.output_dir}`);
  const result = await trainer.train({ resume_from_checkpoint: resumeFlag(opts.resume) });
  if (isMain) {
    writeRunConfig(cfg, args.output_dir);
    // HF's save_state(), before the final evaluation: the state's history is the training's.
    trainer.state.save(args.output_dir);
  }
  const all: Record<string, number> = { ...result.metrics };
  if (prepared.splits.validation) Object.assign(all, trainer.evaluate());
  const confusion = validationConfusionMatrix(run, cfg);
  if (isMain) {
    // The model, tokenizer, task file, results and run info land together or not at all.
    writeFolderAtomically(args.output_dir, (dir) => {
      saveTrained(run, dir);
      writeResults(dir, all);
      writeRunInfo(run, cfg, confusion, dir);
    });
    const report = await writeRunReport(args.output_dir, { png: opts.png });
    out.info(`[train] report: ${report.html}${report.pngs.length ? ` (+ ${report.pngs.length} PNG charts in ${path.dirname(report.pngs[0])})` : ""}`);
  }
  const state = trainer.state;
  if (state.best_model_checkpoint) out.info(`[train] best checkpoint: ${state.best_model_checkpoint} (${args.metric_for_best_model} = ${formatNumber(state.best_metric ?? NaN)})`);
  const shown = Object.entries(all).filter(([k]) => /^eval_(?!runtime|samples|steps)/.test(k)).map(([k, v]) => `${k} ${formatNumber(v)}`);
  if (shown.length) out.info(`[train] final: ${shown.join(" | ")}`);
  out.info(`[train] run folder: ${path.resolve(args.output_dir)}`);
  return all;
}
