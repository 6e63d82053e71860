// Issue 14: a new user's path through real-data rough edges, each through the CLI as the
// user ran it (headerless TSV with integer labels and numeric-looking sentences, stray files
// beside the splits, a short max_length, a Llama classifier, a method switched by --set).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEMO_DIR, demoConfig, readJson, tempDir, tunelab, writeConfig } from "./helpers.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";

const demoRows = (split: string) =>
  fs.readFileSync(path.join(DEMO_DIR, "data", `${split}.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { text: string; label: string });

/** The demo splits as headerless TSV with 0/1 labels, as GLUE-style files come; train gains SST-2's numeric sentences. */
function headerlessData(dir: string): { data: string; rows: Record<string, number> } {
  const data = path.join(dir, "data");
  fs.mkdirSync(data);
  const tsv = (rows: { text: string; label: string }[]) => rows.map((r) => `${r.text}\t${r.label === "positive" ? 1 : 0}`).join("\n") + "\n";
  const train = tsv(demoRows("train")) + "3000 \t1\n1987 \t0\n98 \t1\n10 \t0\n";
  fs.writeFileSync(path.join(data, "train.tsv"), train);
  fs.writeFileSync(path.join(data, "validation.tsv"), tsv(demoRows("validation")));
  fs.writeFileSync(path.join(data, "test.tsv"), tsv(demoRows("test")));
  fs.copyFileSync(path.join(data, "test.tsv"), path.join(data, "test_copy.tsv"));
  return { data, rows: { train: demoRows("train").length + 4, validation: demoRows("validation").length, test: demoRows("test").length } };
}

test("headerless TSV, integer labels, numeric sentences, a stray test_copy file and a short max_length: train, eval and predict", () => {
  const dir = tempDir();
  const { data, rows } = headerlessData(dir);
  const out = path.join(dir, "run");
  const base = demoConfig(out, { num_train_epochs: 3, save_strategy: "no", report_to: "none" });
  const cfg = writeConfig(dir, {
    ...base,
    task: { type: "text_classification", text_column: "sentence", label_column: "label", max_length: 8 },
    dataset: { path: data, column_names: ["sentence", "label"] },
  });
  const r = tunelab(["train", cfg]);
  assert.equal(r.status, 0, r.output);
  // Item 2: "3000 " is a sentence, not an empty text.
  assert.doesNotMatch(r.output, /empty text/);
  // Item 4: each split's files with row counts; the stray copy is named as not read.
  assert.match(r.stdout, new RegExp(`\\[data\\] train: \\S*train\\.tsv \\(${rows.train} rows\\)`));
  assert.match(r.stdout, new RegExp(`\\[data\\] test: \\S*test\\.tsv \\(${rows.test} rows\\)\\n`));
  assert.match(r.stdout, /not read .*test_copy\.tsv/);
  // Item 11: the cut is reported with a length that would fit.
  assert.match(r.stderr, /\[data\] max_length 8 cuts \d+ of \d+ examples of the train split \(\d+\.\d%; the longest has \d+ tokens\); max_length \d+ would keep 95% of them whole/);
  // Item 9: report_to: none is no warning; one learning-rate format; short evaluation lines.
  assert.doesNotMatch(r.output, /ignoring training arguments/);
  assert.doesNotMatch(r.output, /learning_rate \d/);
  const evalLines = r.stderr.split("\n").filter((l) => l.startsWith("eval"));
  assert.ok(evalLines.length >= 3, r.stderr);
  for (const l of evalLines) assert.ok(l.length <= 120, `eval line of ${l.length} characters: ${l}`);
  assert.match(evalLines[0], /^eval @ step \d+\/\d+ \| epoch 1\.00 \| loss [\d.]+ \| accuracy [\d.]+ \| f1 [\d.]+ \| macro_f1 [\d.]+ \| weighted_f1 [\d.]+$/);

  // Items 4 and 6: the test split is test.tsv alone, and the F1 names say what they average.
  const ev = tunelab(["eval", cfg, "--split", "test"]);
  assert.equal(ev.status, 0, ev.output);
  assert.match(ev.stdout, new RegExp(`on test \\(${rows.test} examples\\)`));
  for (const k of ["test_accuracy", "test_f1", "test_macro_f1", "test_weighted_f1"]) assert.match(ev.stdout, new RegExp(`${k}: [\\d.]+`));

  // Item 5: a model trained on integer labels (LABEL_0/LABEL_1) predicts; gold labels stay; metrics come.
  assert.deepEqual(readJson<{ id2label: Record<string, string> }>(path.join(out, "config.json")).id2label, { 0: "LABEL_0", 1: "LABEL_1" });
  const preds = path.join(dir, "preds.jsonl");
  const pr = tunelab(["predict", cfg, "--input", path.join(data, "test.tsv"), "--output", preds]);
  assert.equal(pr.status, 0, pr.output);
  const lines = fs.readFileSync(preds, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { sentence: string; label: number; predicted_label: number });
  assert.equal(lines.length, rows.test);
  assert.deepEqual(lines.map((l) => l.label), demoRows("test").map((x) => (x.label === "positive" ? 1 : 0)), "gold labels kept");
  assert.ok(lines.every((l) => l.predicted_label === 0 || l.predicted_label === 1), "predictions in the labels' own terms");
  const acc = lines.filter((l) => l.label === l.predicted_label).length / lines.length;
  assert.equal(Number(/predict_accuracy ([\d.]+)/.exec(pr.stdout)?.[1]), Number(acc.toFixed(4)), pr.output);
  assert.equal(Number(/predict_accuracy ([\d.]+)/.exec(pr.stdout)?.[1]), Number(/test_accuracy: ([\d.]+)/.exec(ev.stdout)?.[1]), "predict agrees with eval");
  assert.match(pr.stdout, /predict_macro_f1 [\d.]+/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("headerless TSV without column_names: an error listing the columns found; header: false names them column_0, column_1", () => {
  const dir = tempDir();
  const { data } = headerlessData(dir);
  const cfg = writeConfig(dir, {
    ...demoConfig(path.join(dir, "run"), { num_train_epochs: 1, save_strategy: "no", eval_strategy: "no" }),
    task: { type: "text_classification", text_column: "sentence", label_column: "label", max_length: 32 },
    dataset: { path: data },
  });
  const r = tunelab(["train", cfg]);
  assert.equal(r.status, 1, r.output);
  assert.match(r.stderr, /has no column "sentence" \(task\.text_column\); columns found: (1, )?everyone said the restaurant is excellent \.(, 1)?\. .*dataset\.column_names/);
  const ok = tunelab(["train", cfg, "--set", "dataset.header=false", "--set", "task.text_column=column_0", "--set", "task.label_column=column_1"]);
  assert.equal(ok.status, 0, ok.output);
  assert.match(ok.stdout, /\[data\] train: \S*train\.tsv \(196 rows\)/, "the first row is data");
  fs.rmSync(dir, { recursive: true, force: true });
});

const STORIES = path.join(datasetsDir, "stories260k", "hf");

test("Llama sequence classification (stories260K): the collator's pad id is the model's, set once, and batches of 8 train", { skip: skipIfMissing(STORIES) }, () => {
  const dir = tempDir();
  const rows = demoRows("train").slice(0, 48).map((r) => JSON.stringify({ text: r.text, label: r.label }));
  fs.writeFileSync(path.join(dir, "train.jsonl"), rows.join("\n") + "\n");
  const out = path.join(dir, "run");
  const cfg = writeConfig(dir, {
    model: STORIES,
    task: { type: "text_classification", max_length: 32 },
    dataset: { train_file: path.join(dir, "train.jsonl") },
    training: { output_dir: out, max_steps: 4, per_device_train_batch_size: 8, learning_rate: 1e-3, eval_strategy: "no", save_strategy: "no", logging_steps: 2 },
  });
  const r = tunelab(["train", cfg]);
  assert.equal(r.status, 0, r.output);
  assert.doesNotMatch(r.output, /cannot handle batch sizes > 1/);
  const saved = readJson<{ pad_token_id: number; eos_token_id: number }>(path.join(out, "config.json"));
  assert.equal(saved.pad_token_id, saved.eos_token_id, "the collator pads with EOS (no pad token), and the model knows it");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("--set method=full on a LoRA config trains fully, with a note that the peft: section is ignored", () => {
  const dir = tempDir();
  const cfg = writeConfig(dir, {
    ...demoConfig(path.join(dir, "run"), { num_train_epochs: 1, save_strategy: "no", eval_strategy: "no" }),
    method: "lora",
    peft: { r: 4, lora_alpha: 8, target_modules: ["query", "value"] },
  });
  const r = tunelab(["train", cfg, "--set", "method=full"]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.stdout, /--set method=full: ignoring the peft: section written for lora \(r, lora_alpha, target_modules\)/);
  assert.match(r.stdout, /\[model\] full: trainable params: ([\d,]+) \|\| all params: \1 /);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("quickstart output: no loading warnings in the header, no step 0/0 evaluation line", () => {
  const dir = tempDir();
  const r = tunelab(["quickstart", "--output-dir", path.join(dir, "qs"), "--epochs", "1"]);
  assert.equal(r.status, 0, r.output);
  assert.doesNotMatch(r.output, /newly initialized|TRAIN this model/);
  assert.doesNotMatch(r.output, /step 0\/0/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("help: no phantom files, no default stated twice or as [], the quickstart's epochs default, one word for how long the demo takes", () => {
  const top = tunelab(["--help"]);
  assert.match(top.stdout, /quickstart .*in seconds/);
  assert.doesNotMatch(top.stdout, /1-minute/);
  assert.match(fs.readFileSync(path.join(DEMO_DIR, "..", "..", "README.md"), "utf8"), /^npm ci && npx tunelab quickstart +# .*fine-tune the bundled tiny model offline \(seconds\)$/m);
  for (const cmd of ["train", "eval", "predict", "pretrain", "serve"]) {
    const h = tunelab([cmd, "--help"]).stdout;
    assert.doesNotMatch(h, /default: \[\]/, `${cmd} --help`);
    for (const ref of h.match(/scripts\/[\w.-]+/g) ?? []) assert.ok(fs.existsSync(path.join(DEMO_DIR, "..", "..", ref)), `${cmd} --help cites ${ref}`);
  }
  const ev = tunelab(["eval", "--help"]).stdout;
  const splitLine = ev.split("\n").find((l) => l.includes("--split"))!;
  assert.equal(splitLine.match(/default/g)?.length, 1, splitLine);
  assert.match(tunelab(["quickstart", "--help"]).stdout, /--epochs <n> +fine-tuning epochs \(default: 8\)/);
});
