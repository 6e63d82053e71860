// Every training method through the real CLI on the quickstart task (the shipped tiny BERT and
// sentiment data; validation uses sentiment words training never shows, chance is 50%): each
// fine-tunes it well above chance; its mid-run checkpoint (adapter only, for PEFT methods)
// resumes to exactly the uninterrupted run; `tunelab eval` and `predict` load what it saved.
// Learning rates and epochs are set per method, as a user would (prompts and prefixes start
// from N(0, 1) tables and want a large rate; full fine-tuning a small one).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEMO_DIR, demoConfig, readJson, tempDir, tunelab, writeConfig } from "./helpers.js";

interface MethodCase {
  name: string;
  method: string;
  peft?: Record<string, unknown>;
  num_train_epochs: number;
  learning_rate: number;
}

const CASES: MethodCase[] = [
  { name: "full", method: "full", num_train_epochs: 8, learning_rate: 5e-4 },
  { name: "bitfit", method: "bitfit", num_train_epochs: 12, learning_rate: 3e-2 },
  { name: "lora", method: "lora", peft: { r: 8, lora_alpha: 16, target_modules: ["query", "value"] }, num_train_epochs: 8, learning_rate: 5e-3 },
  { name: "ia3", method: "ia3", num_train_epochs: 8, learning_rate: 3e-2 },
  { name: "adapter (houlsby)", method: "adapter", peft: { adapter_type: "houlsby" }, num_train_epochs: 8, learning_rate: 5e-3 },
  { name: "adapter (pfeiffer)", method: "adapter", peft: { adapter_type: "pfeiffer" }, num_train_epochs: 12, learning_rate: 1e-2 },
  { name: "prefix_tuning", method: "prefix_tuning", peft: { num_virtual_tokens: 20 }, num_train_epochs: 16, learning_rate: 3e-2 },
  // The prefix through an MLP (PEFT's prefix_projection); its checkpoints keep the MLP beside the adapter to resume.
  { name: "prefix_tuning (prefix_projection)", method: "prefix_tuning", peft: { num_virtual_tokens: 20, prefix_projection: true, encoder_hidden_size: 64 }, num_train_epochs: 16, learning_rate: 3e-3 },
  { name: "prompt_tuning", method: "prompt_tuning", peft: { num_virtual_tokens: 8 }, num_train_epochs: 12, learning_rate: 1e-1 },
];

const MIN_ACCURACY = 0.75;
const STEPS_PER_EPOCH = 12; // 192 training rows, batch 16

type TrainerState = { log_history: Record<string, number>[] };
const losses = (ckpt: string) => readJson<TrainerState>(path.join(ckpt, "trainer_state.json")).log_history.filter((e) => "loss" in e).map((e) => e.loss);

for (const c of CASES) {
  test(`CLI ${c.name}: fine-tunes the quickstart task above chance, resumes exactly, and eval/predict load it`, (t) => {
    const dir = tempDir();
    const total = c.num_train_epochs * STEPS_PER_EPOCH;
    const half = total / 2;
    const training = {
      num_train_epochs: c.num_train_epochs, learning_rate: c.learning_rate, warmup_ratio: 0.1, per_device_eval_batch_size: 64,
      eval_strategy: "no", save_strategy: "steps", save_steps: half,
    };
    const config: Record<string, unknown> = { ...demoConfig(path.join(dir, "run"), training), method: c.method, ...(c.peft ? { peft: c.peft } : {}) };
    const started = performance.now();
    const r = tunelab(["train", writeConfig(dir, config), "--quiet"]);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(r.status, 0, r.output);
    const results = readJson<Record<string, number>>(path.join(dir, "run", "all_results.json"));
    t.diagnostic(`${c.name}: eval_accuracy ${results.eval_accuracy.toFixed(4)} after ${c.num_train_epochs} epochs at lr ${c.learning_rate} (${seconds.toFixed(1)} s)`);
    assert.ok(results.eval_accuracy >= MIN_ACCURACY, `${c.name}: validation accuracy ${results.eval_accuracy} < ${MIN_ACCURACY}`);

    // Checkpoints: the whole model for full fine-tuning, only the adapter otherwise.
    const ckpt = path.join(dir, "run", `checkpoint-${half}`);
    const isAdapter = c.method !== "full";
    assert.equal(fs.existsSync(path.join(ckpt, "adapter_model.safetensors")), isAdapter, "adapter checkpoint");
    assert.equal(fs.existsSync(path.join(ckpt, "model.safetensors")), !isAdapter, "full weights only for full fine-tuning");

    // A second run resumes from the first run's mid-way checkpoint: the same losses, the same model.
    const resumedDir = path.join(dir, "resumed");
    fs.mkdirSync(resumedDir);
    fs.cpSync(ckpt, path.join(resumedDir, `checkpoint-${half}`), { recursive: true });
    const resumedCfg = writeConfig(dir, { ...config, training: { ...(config.training as object), output_dir: resumedDir } }, "resumed.yaml");
    const r2 = tunelab(["train", resumedCfg, "--resume", "--quiet"]);
    assert.equal(r2.status, 0, r2.output);
    const uninterrupted = losses(path.join(dir, "run", `checkpoint-${total}`));
    assert.equal(uninterrupted.length, total / 12);
    assert.deepEqual(losses(path.join(resumedDir, `checkpoint-${total}`)), uninterrupted, "resumed losses equal the uninterrupted run's");
    assert.equal(readJson<Record<string, number>>(path.join(resumedDir, "all_results.json")).eval_accuracy, results.eval_accuracy);

    // eval and predict load the saved model (base + adapter for PEFT methods) and agree with training.
    const cfgFile = path.join(dir, "config.yaml");
    const ev = tunelab(["eval", cfgFile]);
    assert.equal(ev.status, 0, ev.output);
    assert.equal(Number(/eval_accuracy: ([\d.]+)/.exec(ev.stdout)?.[1]), Number(results.eval_accuracy.toFixed(4)), ev.output);
    const pr = tunelab(["predict", cfgFile, "--input", path.join(DEMO_DIR, "data", "test.jsonl"), "--output", path.join(dir, "preds.jsonl")]);
    assert.equal(pr.status, 0, pr.output);
    const gold = fs.readFileSync(path.join(DEMO_DIR, "data", "test.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).label as string);
    const rows = fs.readFileSync(path.join(dir, "preds.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { label: string; predicted_label: string });
    assert.deepEqual(rows.map((r) => r.label), gold, "the gold labels stay in the output");
    const preds = rows.map((r) => r.predicted_label);
    assert.equal(preds.length, gold.length);
    const testAccuracy = preds.filter((p, i) => p === gold[i]).length / gold.length;
    assert.equal(Number(/predict_accuracy ([\d.]+)/.exec(pr.stdout)?.[1]), Number(testAccuracy.toFixed(4)), pr.output);
    t.diagnostic(`${c.name}: predict accuracy on test ${testAccuracy.toFixed(4)}`);
    assert.ok(testAccuracy >= MIN_ACCURACY, `${c.name}: predictions on test are ${testAccuracy} accurate`);
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test("CLI: every problem of the peft: section is reported with the rest of the config, at once", () => {
  const dir = tempDir();
  const cfg = writeConfig(dir, {
    ...demoConfig(path.join(dir, "out"), { learning_rte: 1e-3 }),
    method: "lora",
    peft: { r: -2, lora_alhpa: 16, lora_dropot: 0.1, target_modules: 3, bias: "nnoe", task_type: "SEQ_CLSS", use_dora: "yes" },
  });
  const r = tunelab(["train", cfg]);
  assert.equal(r.status, 2, r.output);
  assert.match(r.output, /8 problems in the configuration/);
  for (const line of [
    /peft: unknown LORA config key "lora_alhpa"; did you mean "lora_alpha"\?/,
    /peft: unknown LORA config key "lora_dropot"; did you mean "lora_dropout"\?/,
    /peft: r must be a positive integer, got -2/,
    /peft: target_modules must be a list of module names, got 3/,
    /peft: bias must be one of "none", "all", "lora_only", got "nnoe"; did you mean "none"\?/,
    /peft: task_type "SEQ_CLSS" is not one of SEQ_CLS, .*; did you mean "SEQ_CLS"\?/,
    /peft: use_dora must be true or false, got "yes"/,
    /training: .*unknown key "learning_rte"; did you mean "learning_rate"\?/,
  ]) assert.match(r.output, line);
  assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing ran");

  // Another method's keys are unknown to this one, named with the method's own keys.
  const prefix = writeConfig(dir, { ...demoConfig(path.join(dir, "out2")), method: "prefix_tuning", peft: { r: 8, num_virtual_token: 4 } }, "prefix.yaml");
  const r2 = tunelab(["train", prefix]);
  assert.equal(r2.status, 2, r2.output);
  assert.match(r2.output, /peft: unknown PREFIX_TUNING config key "r"; valid keys: .*num_virtual_tokens/);
  assert.match(r2.output, /peft: unknown PREFIX_TUNING config key "num_virtual_token"; did you mean "num_virtual_tokens"\?/);
  assert.match(r2.output, /peft: num_virtual_tokens is required for prompt learning/);
});
