import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { demoConfig, readJson, tempDir, tunelab, writeConfig } from "../cli/helpers.js";
import { readSafetensorsHeaderKeys, svgPoints, figures, tableRows } from "./helpers.js";
import { estimateTokens, nonEmbeddingParameterCount } from "../../src/train/run_stats.js";
import { readRun } from "../../src/report/run_data.js";
import { Embedding, Linear, Module } from "../../src/nn/index.js";
import { tensor } from "../../src/tensor/index.js";

interface State { log_history: Record<string, number>[]; best_global_step: number; best_metric: number; global_step: number; max_steps: number; total_flos: number; num_input_tokens_seen: number }

// One real short run shared by the tests below: full fine-tuning, stopped early on purpose
// (no evaluation can improve accuracy by more than the 0.5 threshold).
const dir = tempDir("tunelab-report-");
const out = path.join(dir, "run");
const cfgFile = writeConfig(dir, {
  ...demoConfig(out, { num_train_epochs: 4, logging_steps: 4, load_best_model_at_end: true, metric_for_best_model: "accuracy", save_total_limit: 1 }),
  early_stopping: { early_stopping_patience: 1, early_stopping_threshold: 0.5 },
});
const trained = tunelab(["train", cfgFile, "--png"]);

test("train writes the run folder a report needs, and report.html charts every logged series with the logged numbers", () => {
  assert.equal(trained.status, 0, trained.output);
  for (const f of ["run_config.yaml", "run_info.json", "trainer_state.json", "trainer_log.jsonl", "all_results.json", "report.html"]) assert.ok(fs.existsSync(path.join(out, f)), f);
  const state = readJson<State>(path.join(out, "trainer_state.json"));
  const html = fs.readFileSync(path.join(out, "report.html"), "utf8");
  const charts = figures(html);
  // Every evaluation metric the log holds (besides loss and timings) has its chart.
  const evalMetrics = [...new Set(state.log_history.flatMap((e) => Object.keys(e)))].filter((k) => /^eval_/.test(k) && !/^eval_(loss|runtime|samples_per_second|steps_per_second)$/.test(k));
  assert.ok(evalMetrics.includes("eval_accuracy") && evalMetrics.includes("eval_f1"), evalMetrics.join(", "));
  assert.deepEqual(Object.keys(charts), ["loss", "learning_rate", "grad_norm", ...evalMetrics, "confusion_matrix"]);

  // Every point drawn is a logged value, and every logged value is drawn (Vega's labels keep 12 significant digits).
  const logged = (key: string) => state.log_history.filter((e) => key in e).map((e) => `${e.step}:${Number(e[key].toPrecision(12))}`);
  const drawn = (chart: string, series: string) => svgPoints(charts[chart]).filter((p) => p.series === series).map((p) => `${p.step}:${p.value}`);
  assert.ok(logged("loss").length >= 4 && logged("eval_loss").length === 2, JSON.stringify(state.log_history));
  assert.deepEqual(drawn("loss", "training loss"), logged("loss"));
  assert.deepEqual(drawn("loss", "evaluation loss"), logged("eval_loss"));
  assert.deepEqual(drawn("learning_rate", "learning rate"), logged("learning_rate"));
  assert.deepEqual(drawn("grad_norm", "grad norm"), logged("grad_norm"));
  for (const m of evalMetrics) assert.deepEqual(drawn(m, m), logged(m), m);

  // Best checkpoint and early stop are marked on the charts.
  assert.ok(state.global_step < state.max_steps, `the run was meant to stop early: ${state.global_step}/${state.max_steps}`);
  for (const key of ["loss", "eval_accuracy"]) {
    assert.ok(charts[key].includes(`best (step ${state.best_global_step})`), key);
    assert.ok(charts[key].includes(`early stop (step ${state.global_step})`), key);
  }

  // The summary says what the files say.
  const results = readJson<Record<string, number>>(path.join(out, "all_results.json"));
  const info = readJson<{ trainable_params: number; total_params: number; confusion_matrix: { matrix: number[][] } }>(path.join(out, "run_info.json"));
  const summary = Object.fromEntries(tableRows(html, "summary").map(([k, v]) => [k, v]));
  assert.equal(summary.method, "full");
  assert.equal(summary["trainable params"], info.trainable_params.toLocaleString("en-US"));
  assert.equal(summary["total params"], info.total_params.toLocaleString("en-US"));
  assert.equal(Number(summary["tokens/s"].replace(/,/g, "")), Number(results.train_tokens_per_second.toPrecision(4)));
  assert.equal(Number(summary["peak memory (RSS, MiB)"]), Number(results.train_peak_rss_mb.toPrecision(4)));
  assert.equal(Number(summary["wall time (s)"]), Number(results.train_runtime.toPrecision(4)));
  assert.equal(summary["best step"], String(state.best_global_step));
  assert.equal(Number(summary["best accuracy"]), Number(state.best_metric.toPrecision(4)));
  assert.equal(Number(summary["final eval_accuracy"]), Number(results.eval_accuracy.toPrecision(4)));
  assert.equal(summary["stopped early at step"], String(state.global_step));
  assert.equal(tableRows(html, "log").length, state.log_history.length);

  // The confusion matrix counts the validation set, and its cells are drawn.
  const cells = info.confusion_matrix.matrix.flat();
  assert.equal(cells.reduce((a, b) => a + b, 0), 256);
  for (const c of cells) assert.ok(charts.confusion_matrix.includes(`count: ${c}`), `cell ${c}`);

  // No script, no external resource: the page works offline.
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);

  // PNG copies of every chart.
  for (const key of Object.keys(charts)) {
    const png = fs.readFileSync(path.join(out, "charts", `${key}.png`));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], key);
  }
});

test("total_flos is Transformers' count: 6 × input tokens × non-embedding parameters; tokens/s and peak RSS are recorded", () => {
  assert.equal(trained.status, 0, trained.output);
  const state = readJson<State>(path.join(out, "trainer_state.json"));
  const results = readJson<Record<string, number>>(path.join(out, "all_results.json"));
  // Non-embedding parameters, counted from the saved weights' names (BERT's *_embeddings.weight are nn.Embedding).
  const shapes = readSafetensorsHeaderKeys(path.join(out, "model.safetensors"));
  const nonEmbedding = Object.entries(shapes).filter(([k]) => !/_embeddings\.weight$/.test(k)).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
  // 190 rows × 2 epochs, each padded to its batch's longest (at most max_length 32).
  assert.ok(state.num_input_tokens_seen >= 2 * 190 * 3 && state.num_input_tokens_seen <= 2 * 190 * 32, String(state.num_input_tokens_seen));
  assert.equal(state.total_flos, 6 * state.num_input_tokens_seen * nonEmbedding);
  assert.equal(results.total_flos, state.total_flos);
  assert.ok(results.train_tokens_per_second > 0 && Math.abs(results.train_tokens_per_second * results.train_runtime - state.num_input_tokens_seen) <= 0.01 * state.num_input_tokens_seen);
  assert.ok(results.train_peak_rss_mb > 20 && results.train_peak_rss_mb < 8192, String(results.train_peak_rss_mb));
});

test("non-embedding parameters leave out Embedding weights (tied ones too); tokens are input_ids.numel()", () => {
  const m = new Module();
  const emb = m.addModule("emb", new Embedding(10, 4));
  m.addModule("proj", new Linear(4, 3));
  const head = m.addModule("head", new Linear(4, 10, { bias: false }));
  assert.equal(nonEmbeddingParameterCount(m), 4 * 3 + 3 + 4 * 10);
  head.setParameter("weight", emb.weight); // tied: counted once, and as an embedding
  assert.equal(nonEmbeddingParameterCount(m), 4 * 3 + 3);
  assert.equal(estimateTokens({ input_ids: tensor([[1, 2, 3], [4, 5, 0]], { dtype: "int32" }) }), 6);
  assert.equal(estimateTokens({ input_ids: [[1, 2], [3, 4], [5, 6]] }), 6);
  assert.equal(estimateTokens({}), 0);
});

test("tunelab report rebuilds the same page; runs lists the run; a folder cut short still reports from its JSONL log", () => {
  assert.equal(trained.status, 0, trained.output);
  const before = fs.readFileSync(path.join(out, "report.html"), "utf8");
  fs.rmSync(path.join(out, "report.html"));
  const r = tunelab(["report", out]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, new RegExp(`${Object.keys(figures(before)).length} charts`));
  assert.equal(fs.readFileSync(path.join(out, "report.html"), "utf8"), before);

  const runs = tunelab(["runs", dir]);
  assert.equal(runs.status, 0, runs.output);
  assert.match(runs.stdout, /^run\s+method\s+model/m);
  assert.match(runs.stdout, /^run\s+full\s+model\s+\d+\/\d+ .*accuracy .*stopped early/m);

  const cut = path.join(dir, "cut");
  fs.mkdirSync(cut);
  fs.copyFileSync(path.join(out, "trainer_log.jsonl"), path.join(cut, "trainer_log.jsonl"));
  const fromLog = readRun(cut);
  const state = readJson<State>(path.join(out, "trainer_state.json"));
  assert.equal(fromLog.finished, false);
  // The JSONL log also holds the final evaluation (logged after the state was saved).
  assert.deepEqual(fromLog.state.log_history.filter((e) => "loss" in e).map((e) => e.loss), state.log_history.filter((e) => "loss" in e).map((e) => e.loss));
  const rc = tunelab(["report", cut]);
  assert.equal(rc.status, 0, rc.output);
  assert.match(fs.readFileSync(path.join(cut, "report.html"), "utf8"), /has not finished/);

  const bad = tunelab(["report", path.join(dir, "nothing-here")]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /is not a folder; pass a run's output_dir/);
  const notRun = tunelab(["report", dir]);
  assert.equal(notRun.status, 1);
  assert.match(notRun.stderr, /is not a run folder/);
});
