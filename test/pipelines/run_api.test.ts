// The library run API as a user (or the server) calls it: buildRun from a config object,
// saveTrained, then loadTrained + predict from the folder alone, with rows mapped back.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildRun, loadTrained, predict, saveTrained, inspectTrained, type RunConfig } from "../../src/index.js";
import { REPO_ROOT } from "../helpers/paths.js";

const DEMO = path.join(REPO_ROOT, "assets", "demo");
const quiet = { info: () => {}, warn: () => {} };

function demoRunConfig(outputDir: string, extra: Partial<RunConfig> = {}): RunConfig {
  return {
    model: { name_or_path: path.join(DEMO, "model") },
    task: "text_classification",
    taskOptions: { max_length: 32 },
    dataset: { path: path.join(DEMO, "data") },
    training: { output_dir: outputDir, num_train_epochs: 2, per_device_train_batch_size: 16, learning_rate: 5e-4, eval_strategy: "no", save_strategy: "no", seed: 42 },
    ...extra,
  };
}

test("buildRun → train → saveTrained; loadTrained(dir) alone knows task, options and labels; predict keeps gold labels and scores them", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-pipelines-"));
  const run = await buildRun(demoRunConfig(dir), { quiet: true, out: quiet });
  await run.trainer.train();
  saveTrained(run, dir);

  const info = inspectTrained(dir);
  assert.equal(info.task, "text_classification");
  assert.deepEqual(info.taskOptions, { max_length: 32 });
  assert.deepEqual(Object.values(info.labels?.id2label ?? {}), ["negative", "positive"]);

  const rows = fs.readFileSync(path.join(DEMO, "data", "test.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { text: string; label: string });
  const trained = await loadTrained(dir);
  const withGold = await predict(trained, rows.slice(0, 40), { out: quiet });
  assert.equal(withGold.rows.length, 40);
  withGold.rows.forEach((r, i) => {
    assert.equal(r.label, rows[i].label, "gold label kept");
    assert.equal(r.text, rows[i].text);
    assert.ok(r.predicted_label === "positive" || r.predicted_label === "negative");
  });
  const acc = withGold.rows.filter((r) => r.predicted_label === r.label).length / 40;
  assert.ok(withGold.metrics, "metrics when every row has a gold label");
  assert.equal(withGold.metrics!.predict_accuracy, acc);

  // A row that cannot be encoded is skipped (on_bad_rows: skip): the others still map to their own input rows.
  const mixed = [{ text: "the film was wonderful ." }, { text: "" }, { text: "the meal was awful ." }];
  const warnings: string[] = [];
  const r = await predict(dir, mixed, { on_bad_rows: "skip", out: { info: () => {}, warn: (w) => warnings.push(w) } });
  assert.deepEqual(r.indices, [0, 2]);
  assert.deepEqual(r.rows.map((x) => x.text), [mixed[0].text, mixed[2].text]);
  assert.equal(r.metrics, undefined, "no gold labels, no metrics");
  assert.match(warnings.join("\n"), /skipped 1/i);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("predict: a folder with no label names is refused with a message naming it", async () => {
  await assert.rejects(predict(path.join(DEMO, "model"), [{ text: "x" }], { task: "text_classification", out: quiet }), /no label names/);
});
