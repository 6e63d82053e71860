/**
 * `tunelab quickstart`: the README's first command. Offline, on the model and data the
 * repository ships (assets/demo): a tiny BERT that `tunelab pretrain` pretrained on
 * generated reviews, fine-tuned to tell positive from negative reviews with a labelled set
 * that shows only a third of the sentiment words; validation uses the other two thirds, so
 * only what pretraining learned about them helps. Shows the validation accuracy before and
 * after fine-tuning, and the same architecture trained from random initialisation on the
 * same budget.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { validateConfig } from "../config.js";
import { validationConfusionMatrix, writeRunConfig, writeRunInfo } from "../run_record.js";
import { writeRunReport } from "../../report/run_report.js";
import { buildRun, consoleOutput, type Output } from "../../pipelines/run.js";
import { saveTrained, writeResults } from "../../pipelines/trained.js";
import { Trainer } from "../../train/trainer.js";

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../assets/demo");

/** Fine-tuning epochs of the demo (each takes well under a second). */
export const QUICKSTART_EPOCHS = 8;

export interface QuickstartOptions {
  output_dir?: string;
  quiet?: boolean;
  num_train_epochs?: number;
}

export interface QuickstartResult {
  before: number;
  after: number;
  scratch: number;
  runDir: string;
}

export function quickstartConfig(runDir: string, sub: string, epochs: number): Record<string, unknown> {
  return {
    model: path.join(DEMO_DIR, "model"),
    task: { type: "text_classification", text_column: "text", label_column: "label", max_length: 32 },
    dataset: { path: path.join(DEMO_DIR, "data") },
    training: {
      output_dir: path.join(runDir, sub),
      // The "before" evaluation logs into this folder first; the training run starts it afresh.
      overwrite_output_dir: true,
      num_train_epochs: epochs,
      per_device_train_batch_size: 16,
      per_device_eval_batch_size: 64,
      learning_rate: 5e-4,
      weight_decay: 0.01,
      warmup_ratio: 0.1,
      eval_strategy: "epoch",
      save_strategy: "epoch",
      save_total_limit: 1,
      load_best_model_at_end: true,
      metric_for_best_model: "accuracy",
      logging_steps: 12,
      seed: 42,
    },
  };
}

export async function quickstartCommand(opts: QuickstartOptions = {}, out: Output = consoleOutput): Promise<QuickstartResult> {
  if (!fs.existsSync(path.join(DEMO_DIR, "model", "model.safetensors"))) {
    throw new Error(`[quickstart] the demo model is missing from ${DEMO_DIR}/model; rebuild it with scripts/build-demo-model.sh`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  const runDir = path.resolve(opts.output_dir ?? path.join("runs", `quickstart-${stamp}`));
  const epochs = opts.num_train_epochs ?? QUICKSTART_EPOCHS;
  const started = performance.now();
  fs.mkdirSync(runDir, { recursive: true });
  const raw = quickstartConfig(runDir, "pretrained", epochs);
  fs.writeFileSync(path.join(runDir, "quickstart.yaml"), `# Re-run with: tunelab train ${path.join(runDir, "quickstart.yaml")}\n` + stringify(raw));
  const quietOut: Output = { info: () => {}, warn: out.warn };

  out.info("tunelab quickstart: fine-tune a tiny pretrained BERT to classify review sentiment");
  out.info(`  model  ${path.join(DEMO_DIR, "model")} (pretrained by \`tunelab pretrain\` on generated reviews; recipe: scripts/build-demo-model.sh)`);
  const cfg = validateConfig(raw, "quickstart", runDir);
  // The new classification head is the only untrained part, as the demo says: no loading notes.
  const pre = await buildRun(cfg, { out: quietOut, quiet: opts.quiet, quietLoading: true });
  out.info(`  data   ${pre.prepared.splits.train.length} labelled training reviews, ${pre.prepared.splits.validation.length} validation reviews using sentiment words the training set never shows`);
  const before = new Trainer({
    model: pre.model, args: { output_dir: pre.args.output_dir, per_device_eval_batch_size: pre.args.per_device_eval_batch_size }, quiet: true,
    data_collator: pre.prepared.collator, compute_metrics: pre.prepared.compute_metrics,
  }).evaluate({ eval_dataset: pre.prepared.splits.validation }).eval_accuracy;
  out.info(`\n[1/2] fine-tuning the pretrained model (${epochs} epochs)…`);
  const trained = await pre.trainer.train();
  writeRunConfig(cfg, pre.args.output_dir);
  pre.trainer.state.save(pre.args.output_dir);
  const afterMetrics = pre.trainer.evaluate();
  saveTrained(pre, pre.args.output_dir);
  writeResults(pre.args.output_dir, { ...trained.metrics, ...afterMetrics });
  writeRunInfo(pre, cfg, validationConfusionMatrix(pre, cfg));
  const report = await writeRunReport(pre.args.output_dir);

  out.info(`\n[2/2] the same architecture from random initialisation, same data and budget…`);
  const scratchCfg = validateConfig(quickstartConfig(runDir, "from_scratch", epochs), "quickstart", runDir);
  const scratchRun = await buildRun(scratchCfg, { out: quietOut, quiet: opts.quiet, scratch: true, quietLoading: true });
  await scratchRun.trainer.train();
  const scratchMetrics = scratchRun.trainer.evaluate();
  writeResults(scratchRun.args.output_dir, scratchMetrics);

  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  out.info("\nvalidation accuracy (chance is 50%)");
  out.info(`  pretrained, before fine-tuning   ${pct(before)}`);
  out.info(`  pretrained, after fine-tuning    ${pct(afterMetrics.eval_accuracy)}`);
  out.info(`  random init, same budget         ${pct(scratchMetrics.eval_accuracy)}`);
  out.info(`\nDone in ${secs}s. Run folder: ${runDir}`);
  out.info(`  fine-tuned model   ${pre.args.output_dir}`);
  out.info(`  training log       ${path.join(pre.args.output_dir, "trainer_log.jsonl")}`);
  out.info(`  report             ${report.html}`);
  out.info(`  next: tunelab predict ${path.join(runDir, "quickstart.yaml")} --input ${path.join(DEMO_DIR, "data", "test.jsonl")}`);
  return { before, after: afterMetrics.eval_accuracy, scratch: scratchMetrics.eval_accuracy, runDir };
}
