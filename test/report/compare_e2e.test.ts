import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { demoConfig, readJson, tempDir, tunelab, writeConfig } from "../cli/helpers.js";
import { figures, tableRows } from "./helpers.js";
import { Chromium, CHART_PROBE, CHROMIUM } from "../helpers/chromium.js";
import { trainingMethodNames } from "../../src/train/methods.js";

// One small comparison shared by the tests below: 2 epochs of the demo task per method.
const dir = tempDir("tunelab-compare-");
const root = path.join(dir, "cmp");
const cfgFile = writeConfig(dir, {
  ...demoConfig(root, { num_train_epochs: 2, logging_steps: 6, metric_for_best_model: "accuracy", save_total_limit: 1 }),
  compare: { lora: { peft: { r: 4 }, training: { learning_rate: 2e-3 } } },
});
// qlora is listed whether or not this build registers it: unregistered, it must be reported, not crash.
const methods = ["full", "lora", "ia3", "qlora"];
const first = tunelab(["compare", cfgFile, "--methods", methods.join(",")]);

test("compare trains each method in its own folder and tables what their run folders say", () => {
  assert.equal(first.status, 0, first.output);
  const md = fs.readFileSync(path.join(root, "compare.md"), "utf8");
  const html = fs.readFileSync(path.join(root, "compare.html"), "utf8");
  const rows = tableRows(html, "compare");
  assert.deepEqual(rows.map((r) => r[0]), methods);
  for (const [i, method] of methods.entries()) {
    if (method === "qlora" && !trainingMethodNames().includes("qlora")) {
      assert.match(rows[i][1], /^unavailable: not registered in this build/);
      assert.match(md, /\| qlora \| unavailable: /);
      continue;
    }
    const run = path.join(root, method);
    const results = readJson<Record<string, number>>(path.join(run, "all_results.json"));
    const info = readJson<{ trainable_params: number; weights_bytes: number; method: string }>(path.join(run, "run_info.json"));
    const args = readJson<{ learning_rate: number }>(path.join(run, "training_args.json"));
    assert.equal(info.method, method);
    assert.equal(rows[i][2], info.trainable_params.toLocaleString("en-US"), method);
    assert.equal(Number(rows[i][5]), Number(results.train_peak_rss_mb.toPrecision(4)), method);
    assert.equal(Number(rows[i][7].replace(/,/g, "")), Number(results.train_tokens_per_second.toPrecision(4)), method);
    assert.equal(Number(rows[i][9]), Number(results.eval_accuracy.toPrecision(4)), method);
    assert.ok(fs.existsSync(path.join(run, "report.html")), method);
    if (method === "full") assert.equal(args.learning_rate, 5e-4); // the config's own
    if (method === "lora") {
      assert.equal(args.learning_rate, 2e-3); // compare.lora.training
      assert.equal(readJson<{ r: number }>(path.join(run, "adapter_config.json")).r, 4); // compare.lora.peft
    }
    if (method === "ia3") assert.equal(args.learning_rate, 3e-3); // ia3's usual rate
  }
  // Adapters are a small fraction of the full model, and the table says so.
  const trainable = (m: string) => readJson<{ trainable_params: number }>(path.join(root, m, "run_info.json")).trainable_params;
  assert.ok(trainable("lora") < trainable("full") / 5 && trainable("ia3") < trainable("lora"));
  assert.deepEqual(Object.keys(figures(html)), ["trainable_params", "weights_bytes", "peak_rss_mb", "s_per_step", "tokens_per_second", "best_metric", "training_loss", "validation_metric"]);
  assert.match(md, /Machine: .*load average/);
});

test("compare run again keeps the finished methods and rewrites the pages", () => {
  assert.equal(first.status, 0, first.output);
  const stamp = fs.statSync(path.join(root, "lora", "all_results.json")).mtimeMs;
  const again = tunelab(["compare", cfgFile, "--methods", methods.join(",")]);
  assert.equal(again.status, 0, again.output);
  assert.equal((again.output.match(/finished earlier, kept/g) ?? []).length, methods.filter((m) => trainingMethodNames().includes(m)).length);
  assert.equal(fs.statSync(path.join(root, "lora", "all_results.json")).mtimeMs, stamp);
});

test("compare refuses a bad per-method section before training anything", () => {
  const bad = writeConfig(dir, { ...demoConfig(path.join(dir, "bad")), compare: { lora: { peft: { rr: 4 } }, loar: {} } }, "bad.yaml");
  const r = tunelab(["compare", bad, "--methods", "full,lora"]);
  assert.equal(r.status, 2, r.output);
  assert.match(r.stderr, /lora: peft: .*rr/);
  assert.match(r.stderr, /compare: unknown key "loar"; did you mean "lora"\?/);
  assert.ok(!fs.existsSync(path.join(dir, "bad", "full")), "nothing trained");
});

const CI = process.env.CI === "true";
test("headless Chromium opens report.html and compare.html offline: no console error, no request, every chart drawn", { skip: !fs.existsSync(CHROMIUM) && !CI ? `no ${CHROMIUM} (apt-get install -y chromium)` : false }, async (t) => {
  assert.equal(first.status, 0, first.output);
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing; .ci/run installs Debian's chromium`);
  const browser = Chromium.launch();
  try {
    for (const page of [path.join(root, "lora", "report.html"), path.join(root, "compare.html")]) {
      const visit = await browser.visit(page, CHART_PROBE);
      assert.deepEqual(visit.errors, [], page);
      assert.deepEqual(visit.requests, [], page);
      const charts = visit.value as { key: string; width: number; height: number; marks: number }[];
      const expected = Object.keys(figures(fs.readFileSync(page, "utf8")));
      assert.deepEqual(charts.map((c) => c.key), expected, page);
      for (const c of charts) assert.ok(c.width > 100 && c.height > 50 && c.marks > 0, `${page}: chart ${c.key} not drawn: ${JSON.stringify(c)}`);
      const shot = path.join(dir, "screenshots", `${path.basename(path.dirname(page))}-${path.basename(page, ".html")}.png`);
      fs.mkdirSync(path.dirname(shot), { recursive: true });
      fs.writeFileSync(shot, visit.screenshot);
      assert.ok(visit.screenshot.length > 10_000, "a screenshot of a drawn page");
      t.diagnostic(`screenshot: ${shot}`);
    }
  } finally {
    await browser.close();
  }
});
