import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { demoConfig, readJson, tempDir, tunelab, writeConfig } from "../cli/helpers.js";
import { figures, tableRows } from "./helpers.js";
import { Chromium, CHART_PROBE, CHROMIUM } from "../helpers/chromium.js";
import { parseSweepSection, planTrials } from "../../src/cli/tune/search_space.js";
import { trailsMedian, median } from "../../src/cli/tune/pruning.js";
import { loadRunConfig } from "../../src/cli/config.js";

test("search space: grids multiply in order, ranges give evenly spaced (log) points, random draws are seeded and in range", () => {
  const problems: string[] = [];
  const grid = parseSweepSection({ parameters: { learning_rate: { min: 1e-4, max: 1e-2, scale: "log" }, "peft.r": [4, 8] }, strategy: "grid" }, problems)!;
  assert.deepEqual(problems, []);
  assert.deepEqual(planTrials(grid), [
    { learning_rate: 1e-4, "peft.r": 4 }, { learning_rate: 1e-4, "peft.r": 8 },
    { learning_rate: 1e-3, "peft.r": 4 }, { learning_rate: 1e-3, "peft.r": 8 },
    { learning_rate: 1e-2, "peft.r": 4 }, { learning_rate: 1e-2, "peft.r": 8 },
  ]);
  assert.equal(planTrials({ ...grid, n_trials: 4 }).length, 4, "the budget caps a grid");
  const ints = parseSweepSection({ parameters: { num_train_epochs: { min: 2, max: 6, type: "int", num: 5 } } }, problems)!;
  assert.equal(ints.strategy, "random", "a range defaults to random search");
  assert.deepEqual(planTrials({ ...ints, strategy: "grid" }).map((t) => t.num_train_epochs), [2, 3, 4, 5, 6]);
  const random = parseSweepSection({ parameters: { learning_rate: { min: 1e-5, max: 1e-2, scale: "log" }, per_device_train_batch_size: { values: [8, 16, 32] } }, n_trials: 50, seed: 7 }, problems)!;
  const a = planTrials(random);
  assert.deepEqual(planTrials(random), a, "the same seed plans the same trials");
  assert.notDeepEqual(planTrials({ ...random, seed: 8 }), a);
  assert.equal(a.length, 50);
  for (const t of a) {
    assert.ok((t.learning_rate as number) >= 1e-5 && (t.learning_rate as number) <= 1e-2);
    assert.ok([8, 16, 32].includes(t.per_device_train_batch_size as number));
  }
  // Log-uniform: about a third of the draws in each decade.
  const low = a.filter((t) => (t.learning_rate as number) < 1e-4).length;
  assert.ok(low > 5 && low < 30, `draws below 1e-4: ${low} of 50`);
  assert.deepEqual(problems, []);
});

test("search space: every problem of a bad sweep section is reported", () => {
  const problems: string[] = [];
  parseSweepSection({ strategy: "bayes", n_trials: 0, pruning: "hyperband", parameters: { learning_rate: { min: 0, max: 1, scale: "log" }, "peft.r": [], epochs: { min: 3, max: 1 }, x: "y", lr: { mn: 1, max: 2 } } }, problems);
  const text = problems.join("\n");
  for (const p of [/sweep\.strategy: must be "grid" or "random"/, /sweep\.n_trials: must be a positive whole number/, /sweep\.pruning: must be "median" or "none"/,
    /learning_rate: a log scale needs min > 0/, /peft\.r: an empty list/, /epochs: a range needs numbers min <= max/, /parameters\.x: must be a list of values/, /parameters\.lr: unknown key "mn"; did you mean "min"\?/]) {
    assert.match(text, p);
  }
  const none: string[] = [];
  parseSweepSection(undefined, none);
  assert.match(none[0], /sweep: missing/);
});

test("median rule: prunes only below the median of enough earlier trials at the same step", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const spec = { metric: "eval_accuracy", greater_is_better: true, warmup_evals: 0, startup_trials: 2, history: [{ "12": 0.6, "24": 0.7 }, { "12": 0.8 }] as Record<string, number>[] };
  assert.deepEqual(trailsMedian(spec, 12, 0.65), { prune: true, median: 0.7 });
  assert.deepEqual(trailsMedian(spec, 12, 0.75), { prune: false, median: 0.7 });
  assert.equal(trailsMedian(spec, 24, 0.1), null, "one earlier trial at step 24 is fewer than startup_trials");
  assert.deepEqual(trailsMedian({ ...spec, greater_is_better: false }, 12, 0.75), { prune: true, median: 0.7 });
});

// End to end on the quickstart model: a 3-point learning-rate grid with early stopping in each
// trial (no evaluation can improve by the 0.5 threshold, so each stops after its second) and
// median pruning from the first earlier trial on; a rate of 1e-7 learns nothing and is pruned.
const dir = tempDir("tunelab-sweep-");
const root = path.join(dir, "sweep");
const cfgFile = writeConfig(dir, {
  ...demoConfig(root, { num_train_epochs: 3, logging_steps: 6, metric_for_best_model: "accuracy", save_total_limit: 1 }),
  early_stopping: { early_stopping_patience: 1, early_stopping_threshold: 0.5 },
  sweep: { strategy: "grid", pruning: "median", pruning_startup_trials: 1, pruning_warmup_evals: 0, parameters: { learning_rate: [5e-4, 1e-7, 6e-4] } },
});
const first = tunelab(["sweep", cfgFile]);

test("sweep runs every trial, stops trials early, prunes the one that trails, ranks them and writes the best config", () => {
  assert.equal(first.status, 0, first.output);
  const results = readJson<{ trials: { trial: string; status: string; value: number; params: { learning_rate: number } }[]; best_config: string }>(path.join(root, "sweep_results.json"));
  assert.deepEqual(results.trials.map((t) => t.params.learning_rate).sort(), [1e-7, 5e-4, 6e-4].sort());
  const byRate = Object.fromEntries(results.trials.map((t) => [t.params.learning_rate, t]));
  assert.equal(byRate[1e-7].status, "pruned", first.output);
  const pruned = readJson<{ step: number; value: number; median_of_earlier_trials: number }>(path.join(root, byRate[1e-7].trial, "pruned.json"));
  assert.ok(pruned.value < pruned.median_of_earlier_trials);
  assert.equal(byRate[5e-4].status, "done", "the first trial has no earlier trial to trail");
  for (const rate of [5e-4, 6e-4]) {
    const state = readJson<{ global_step: number; max_steps: number; log_history: Record<string, number>[] }>(path.join(root, byRate[rate].trial, "trainer_state.json"));
    assert.ok(state.global_step < state.max_steps, "early stopping (or pruning) ended the trial");
    if (byRate[rate].status === "pruned") continue;
    assert.equal(byRate[rate].status, "done");
    assert.equal(state.global_step, 24, "early stopping after the second evaluation");
    // The trial's value is its best evaluation.
    assert.equal(byRate[rate].value, Math.max(...state.log_history.filter((e) => "eval_accuracy" in e).map((e) => e.eval_accuracy)));
  }
  // Ranked best first; the best config is the winner's, ready for tunelab train.
  const values = results.trials.map((t) => t.value);
  assert.deepEqual(values, [...values].sort((x, y) => y - x));
  const winner = results.trials.find((t) => t.status === "done")!;
  const best = loadRunConfig(results.best_config);
  assert.equal(best.training.learning_rate, winner.params.learning_rate);
  assert.equal(best.training.output_dir, path.join(root, "best"));
  assert.equal((best.early_stopping as { early_stopping_patience: number }).early_stopping_patience, 1);
  const html = fs.readFileSync(path.join(root, "sweep.html"), "utf8");
  assert.deepEqual(tableRows(html, "trials").map((r) => r[1]), results.trials.map((t) => t.trial));
  assert.deepEqual(Object.keys(figures(html)), ["param-learning_rate", "trials"]);
  assert.match(fs.readFileSync(path.join(root, "sweep.md"), "utf8"), /\| 1 \| trial-\d{3} \| /);
});

test("sweep run again keeps the finished trials; a bad sweep section fails before any training", () => {
  assert.equal(first.status, 0, first.output);
  const again = tunelab(["sweep", cfgFile]);
  assert.equal(again.status, 0, again.output);
  assert.equal((again.output.match(/finished earlier, kept/g) ?? []).length, 3);
  const bad = writeConfig(dir, { ...demoConfig(path.join(dir, "bad")), sweep: { parameters: { learning_rate: [1e-3], "training.num_train_epoch": [1] } } }, "bad.yaml");
  const r = tunelab(["sweep", bad]);
  assert.equal(r.status, 2, r.output);
  assert.match(r.stderr, /trial-000 .*num_train_epoch.*did you mean "num_train_epochs"\?/);
  assert.ok(!fs.existsSync(path.join(dir, "bad")));
});

test("headless Chromium opens sweep.html: no console error, no request, every chart drawn", { skip: !fs.existsSync(CHROMIUM) && process.env.CI !== "true" ? `no ${CHROMIUM}` : false }, async (t) => {
  assert.equal(first.status, 0, first.output);
  const browser = Chromium.launch();
  try {
    const page = path.join(root, "sweep.html");
    const visit = await browser.visit(page, CHART_PROBE);
    assert.deepEqual(visit.errors, []);
    assert.deepEqual(visit.requests, []);
    const charts = visit.value as { key: string; width: number; marks: number }[];
    assert.deepEqual(charts.map((c) => c.key), ["param-learning_rate", "trials"]);
    for (const c of charts) assert.ok(c.width > 100 && c.marks > 0, JSON.stringify(c));
    const shot = path.join(dir, "screenshots", "sweep.png");
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    fs.writeFileSync(shot, visit.screenshot);
    t.diagnostic(`screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
});
