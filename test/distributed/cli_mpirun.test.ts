// `mpirun -np 2 tunelab train config.yaml`: the CLI trains data-parallel with the config as is;
// early stopping stops both ranks at the same evaluation (a disagreement would leave one rank
// waiting in a collective until ddp_timeout), and rank 0 alone prints and writes the results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { mpirun, mpirunArgs, skipWithoutMpirun } from "./mpirun.js";
import { BIN, demoConfig, readJson, tempDir, writeConfig } from "../cli/helpers.js";

const skip = skipWithoutMpirun;

test("mpirun -np 2 tunelab train: early stopping agrees on every rank, rank 0 alone prints and writes", { skip }, () => {
  const dir = tempDir();
  const out = path.join(dir, "out");
  const cfg = writeConfig(dir, {
    ...demoConfig(out, { learning_rate: 0, num_train_epochs: 8, per_device_train_batch_size: 8, metric_for_best_model: "accuracy", save_strategy: "no", ddp_timeout: 60 }),
    early_stopping: { early_stopping_patience: 1 },
  });
  const r = spawnSync(mpirun(), [...mpirunArgs(2, ["TUNELAB_NUM_THREADS"]), process.execPath, BIN, "train", cfg], {
    encoding: "utf8", env: { ...process.env, TUNELAB_NUM_THREADS: "1", FORCE_COLOR: "0" }, timeout: 240_000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, output);
  const log = fs.readFileSync(path.join(out, "trainer_log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  // The single-process run of this config (per device 16) stops after epoch 2, as here with 2 × 8.
  assert.deepEqual(log.filter((l) => "eval_accuracy" in l && l.step > 0).map((l) => l.epoch), [1, 2, 2]);
  assert.equal(output.match(/\[train\] run folder:/g)?.length, 1, output);
  const results = readJson<Record<string, number>>(path.join(out, "all_results.json"));
  assert.ok(Number.isFinite(results.eval_accuracy) && Number.isFinite(results.train_loss));
  fs.rmSync(dir, { recursive: true, force: true });
});
