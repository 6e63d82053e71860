// Quality on the quickstart task (assets/demo: a tiny pretrained BERT, review sentiment,
// 256 validation reviews), through the CLI's own config validation and run builder:
// - full fine-tuning with adamw_8bit (bitsandbytes' blockwise 8-bit moments) reaches what
//   32-bit AdamW does;
// - QLoRA (NF4 + double quantization, and an 8-bit base) lands within one point of LoRA's
//   accuracy with the same adapter settings trained to convergence.
// Undertrained settings (5 seeds, lr 1e-3, 8 epochs) are recorded in the README: there the
// runs' spread across seeds is several points, and QLoRA on a nearly lossless 8-bit base sits
// as far from LoRA as NF4 does (the quantized loader draws the new head and the adapters from
// another point of the random stream), so that regime cannot resolve a one-point claim.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { quickstartConfig } from "../../src/cli/commands/quickstart.js";
import { validateConfig } from "../../src/cli/config.js";
import { buildRun } from "../../src/pipelines/run.js";

const quiet = { info: () => {}, warn: () => {} };
const LORA = { peft: { r: 8, lora_alpha: 16, lora_dropout: 0.05, target_modules: ["query", "value"] } };

async function run(dir: string, name: string, epochs: number, training: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ accuracy: number; loss: number }> {
  const raw = quickstartConfig(dir, name, epochs) as Record<string, unknown> & { training: Record<string, unknown> };
  Object.assign(raw.training, { eval_strategy: "no", save_strategy: "no", load_best_model_at_end: false, ...training });
  Object.assign(raw, extra);
  const built = await buildRun(validateConfig(raw, name, dir), { out: quiet, quiet: true, quietLoading: true });
  await built.trainer.train();
  const m = built.trainer.evaluate();
  return { accuracy: m.eval_accuracy as number, loss: m.eval_loss as number };
}

test("quickstart: adamw_8bit reaches 32-bit AdamW's accuracy and eval loss (full fine-tuning)", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-quality-"));
  try {
    const a = await run(dir, "adamw_torch", 8, { optim: "adamw_torch" });
    const b = await run(dir, "adamw_8bit", 8, { optim: "adamw_8bit" });
    t.diagnostic(`adamw_torch: accuracy ${a.accuracy}, eval loss ${a.loss.toFixed(4)}; adamw_8bit: accuracy ${b.accuracy}, eval loss ${b.loss.toFixed(4)}`);
    assert.ok(a.accuracy >= 0.95, `the quickstart should train: accuracy ${a.accuracy}`);
    assert.ok(b.accuracy >= a.accuracy - 0.01, `adamw_8bit accuracy ${b.accuracy} vs ${a.accuracy}`);
    assert.ok(Math.abs(b.loss - a.loss) <= 0.005, `adamw_8bit eval loss ${b.loss} vs ${a.loss}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("quickstart: QLoRA (NF4 + double quantization, and 8-bit) within one point of LoRA's accuracy", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-quality-"));
  try {
    const training = { learning_rate: 2e-3 };
    const lora = await run(dir, "lora", 16, training, { method: "lora", ...LORA });
    const nf4 = await run(dir, "qlora_nf4", 16, training, { method: "qlora", ...LORA });
    const int8 = await run(dir, "qlora_int8", 16, training, { method: "qlora", ...LORA, quantization: { load_in_8bit: true } });
    t.diagnostic(`accuracy / eval loss: LoRA ${lora.accuracy} / ${lora.loss.toFixed(4)}, QLoRA NF4 ${nf4.accuracy} / ${nf4.loss.toFixed(4)}, QLoRA 8-bit ${int8.accuracy} / ${int8.loss.toFixed(4)}`);
    assert.ok(lora.accuracy >= 0.95, `LoRA should train: accuracy ${lora.accuracy}`);
    for (const [name, r] of [["NF4", nf4], ["8-bit", int8]] as const) {
      assert.ok(Math.abs(r.accuracy - lora.accuracy) <= 0.01, `QLoRA ${name} accuracy ${r.accuracy} vs LoRA ${lora.accuracy}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
