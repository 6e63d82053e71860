import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEMO_DIR, demoConfig, readJson, tempDir, tunelab, writeConfig } from "./helpers.js";

test("train: classification beats chance by far, saves the model, results and logs; eval and predict use it", () => {
  const dir = tempDir();
  const out = path.join(dir, "run");
  const cfg = writeConfig(dir, { ...demoConfig(out, { load_best_model_at_end: true, metric_for_best_model: "accuracy", save_total_limit: 2 }) });
  const r = tunelab(["train", cfg, "--set", "num_train_epochs=5"]);
  assert.equal(r.status, 0, r.output);
  const results = readJson<Record<string, number>>(path.join(out, "all_results.json"));
  assert.ok(results.eval_accuracy >= 0.9, `accuracy ${results.eval_accuracy} (chance is 0.5)`);
  assert.match(r.output, /best checkpoint: .*checkpoint-\d+ \(accuracy = /);
  assert.match(r.output, /run folder: /);
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "trainer_log.jsonl", "eval_results.json"]) assert.ok(fs.existsSync(path.join(out, f)), f);
  assert.equal(readJson<{ id2label: Record<string, string> }>(path.join(out, "config.json")).id2label[1], "positive");

  const ev = tunelab(["eval", cfg, "--split", "test"]);
  assert.equal(ev.status, 0, ev.output);
  const acc = Number(/test_accuracy: ([\d.]+)/.exec(ev.output)?.[1]);
  assert.ok(acc >= 0.9, ev.output);

  const input = path.join(dir, "new.jsonl");
  fs.writeFileSync(input, '{"text":"the film was wonderful ."}\n{"text":"the meal was awful ."}\n');
  const pr = tunelab(["predict", cfg, "--input", input, "--output", path.join(dir, "preds.jsonl")]);
  assert.equal(pr.status, 0, pr.output);
  const preds = fs.readFileSync(path.join(dir, "preds.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(preds.map((p) => p.predicted_label), ["positive", "negative"]);
  assert.doesNotMatch(pr.output, /predict_accuracy/, "rows without gold labels get no metrics");
  assert.ok(preds[0].score > 0.5 && preds[0].probabilities.positive === preds[0].score);
});

test("a bad config reports every problem at once, with nearest-name suggestions, before any work", () => {
  const dir = tempDir();
  const cfg = writeConfig(dir, {
    model: path.join(DEMO_DIR, "model"),
    task: { type: "text_clasification", text_colum: "text" },
    dataset: { path: path.join(dir, "missing"), on_bad_row: "skip" },
    trainig: {},
    training: { learning_rte: 1e-4, num_train_epochs: -1, output_dir: path.join(dir, "out") },
  });
  const r = tunelab(["train", cfg]);
  assert.equal(r.status, 2, r.output);
  assert.match(r.output, /problems in the configuration/);
  assert.match(r.output, /unknown top-level key "trainig"; did you mean "training"\?/);
  assert.match(r.output, /unknown task "text_clasification"; did you mean "text_classification"\?/);
  assert.match(r.output, /dataset: unknown key "on_bad_row"; did you mean "on_bad_rows"\?/);
  assert.match(r.output, /dataset\.path: .*missing does not exist/);
  assert.match(r.output, /training: training arguments: unknown key "learning_rte"; did you mean "learning_rate"\?/);
  assert.match(r.output, /num_train_epochs must be a positive number, got -1/);
  assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing ran");
  const bad = tunelab(["train", cfg, "--set", "nonsense"]);
  assert.match(bad.output, /"nonsense" is not key=value/);
});

test("bad rows fail with file:line for each, or are skipped and counted with on_bad_rows: skip", () => {
  const dir = tempDir();
  const data = path.join(dir, "data");
  fs.mkdirSync(data);
  const good = fs.readFileSync(path.join(DEMO_DIR, "data", "train.jsonl"), "utf8").trim().split("\n").slice(0, 40);
  fs.writeFileSync(path.join(data, "train.jsonl"), [...good.slice(0, 3), "{not json", '{"text":"", "label":"positive"}', '{"text":"ok .", "label":"neutral-ish"}', ...good.slice(3)].join("\n") + "\n");
  fs.copyFileSync(path.join(DEMO_DIR, "data", "validation.jsonl"), path.join(data, "validation.jsonl"));
  const cfg = writeConfig(dir, { ...demoConfig(path.join(dir, "out"), { num_train_epochs: 1, save_strategy: "no", eval_strategy: "no" }), dataset: { path: data }, task: { type: "text_classification", label_names: ["negative", "positive"] } });
  const r = tunelab(["train", cfg]);
  assert.equal(r.status, 1, r.output);
  assert.match(r.output, /train\.jsonl:4: invalid JSON/);
  assert.match(r.output, /on_bad_rows: skip/);
  const s = tunelab(["train", cfg, "--set", "dataset.on_bad_rows=skip"]);
  assert.equal(s.status, 0, s.output);
  assert.match(s.output, /skipped 1 bad row while reading .*train\.jsonl: .*train\.jsonl:4 \(invalid JSON/);
  assert.match(s.output, /skipped 2 bad rows while preparing the train split.*train\.jsonl:5 \(empty text in "text"\).*train\.jsonl:6 \(unknown label "neutral-ish"/);
});

test("early stopping through the config stops when validation stops improving", () => {
  const dir = tempDir();
  const out = path.join(dir, "out");
  const cfg = writeConfig(dir, { ...demoConfig(out, { learning_rate: 0, num_train_epochs: 8, metric_for_best_model: "accuracy", save_strategy: "no" }), early_stopping: { early_stopping_patience: 1 } });
  const r = tunelab(["train", cfg]);
  assert.equal(r.status, 0, r.output);
  const log = fs.readFileSync(path.join(out, "trainer_log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const evalEpochs = log.filter((l) => "eval_accuracy" in l && l.step > 0).map((l) => l.epoch);
  // Two in-training evaluations (the second without improvement stops), then the final one.
  assert.deepEqual(evalEpochs, [1, 2, 2]);
});

test("--help on every command shows examples", () => {
  for (const cmd of ["train", "eval", "predict", "pretrain", "quickstart"]) {
    const r = tunelab([cmd, "--help"]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.stdout, /Examples:\n\s+\$ tunelab /, cmd);
  }
  assert.match(tunelab(["--help"]).stdout, /tunelab quickstart/);
});
