// Runs that share a folder, resume, diverge or are cut short (issue 9, items 2-5): each
// defect reproduced here first, then fixed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { getLastCheckpoint, listCheckpoints, MANIFEST_NAME } from "../../src/train/checkpoint_folders.js";
import { LOCK_NAME } from "../../src/train/output_dir.js";
import { NonFiniteWeightsError } from "../../src/train/guards.js";
import { loadTensors } from "../../src/io/tensors.js";
import { writeJsonAtomic } from "../../src/io/json.js";
import { demoTrainer, losses, tempDir } from "../train/helpers.js";

const SHORT = { max_steps: 8, logging_steps: 2, save_steps: 4, eval_strategy: "no" as const };

function logLines(dir: string): Record<string, number>[] {
  return fs.readFileSync(path.join(dir, "trainer_log.jsonl"), "utf8").trim().split("\n").map((l) => {
    const { time: _time, ...rest } = JSON.parse(l) as Record<string, number>;
    return rest;
  });
}

test("two runs on one output_dir: the second is refused, naming the holder (pid and host)", async () => {
  const out = tempDir();
  const a = await demoTrainer({ ...SHORT, output_dir: out });
  const b = await demoTrainer({ ...SHORT, output_dir: out });
  const running = a.train();
  await assert.rejects(() => b.train(), new RegExp(`output_dir .* is in use by pid ${process.pid} on ${os.hostname()}.*Wait for that run to finish`));
  await running;
  assert.ok(!fs.existsSync(path.join(out, LOCK_NAME)), "the lock is released at the end");
  assert.equal(getLastCheckpoint(out), path.join(out, "checkpoint-8"));
});

test("a lock left by a dead process is taken over; one held by a live process is not", async () => {
  const out = tempDir();
  const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  fs.writeFileSync(path.join(out, LOCK_NAME), JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), started: "earlier" }));
  const t = await demoTrainer({ ...SHORT, max_steps: 2, output_dir: out, overwrite_output_dir: true });
  await t.train();
  assert.equal(t.state.global_step, 2);
  // process.ppid (the test runner) is alive: its lock holds.
  fs.writeFileSync(path.join(out, LOCK_NAME), JSON.stringify({ pid: process.ppid, host: os.hostname(), started: "now" }));
  const u = await demoTrainer({ ...SHORT, max_steps: 2, output_dir: out });
  await assert.rejects(() => u.train({ resume_from_checkpoint: true }), new RegExp(`in use by pid ${process.ppid}`));
});

test("a fresh run refuses a non-empty output_dir unless overwrite_output_dir; a file as output_dir is a clear error", async () => {
  const out = tempDir();
  await (await demoTrainer({ ...SHORT, max_steps: 4, output_dir: out })).train();
  await assert.rejects(async () => (await demoTrainer({ ...SHORT, max_steps: 4, output_dir: out })).train(), /already exists and is not empty .*overwrite_output_dir: true/);
  const again = await demoTrainer({ ...SHORT, max_steps: 2, save_steps: 2, output_dir: out, overwrite_output_dir: true });
  await again.train();
  assert.deepEqual(listCheckpoints(out).map((d) => path.basename(d)), ["checkpoint-2"], "the old run's checkpoints were replaced");
  const file = path.join(tempDir(), "not-a-folder");
  fs.writeFileSync(file, "x");
  await assert.rejects(async () => (await demoTrainer({ ...SHORT, output_dir: file })).train(), /output_dir .*not-a-folder is a file, not a folder/);
});

test("a checkpoint is complete only when every file its manifest lists is present", async () => {
  const out = tempDir();
  await (await demoTrainer({ ...SHORT, output_dir: out })).train();
  assert.equal(getLastCheckpoint(out), path.join(out, "checkpoint-8"));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "checkpoint-8", MANIFEST_NAME), "utf8")) as { files: Record<string, number> };
  assert.ok("model.safetensors" in manifest.files && "trainer_state.json" in manifest.files);
  fs.rmSync(path.join(out, "checkpoint-8", "model.safetensors"));
  assert.equal(getLastCheckpoint(out), path.join(out, "checkpoint-4"), "checkpoint-8 lost its weights: not complete");
  // Without a manifest (older or foreign checkpoints): trainer_state.json alone is not enough.
  fs.rmSync(path.join(out, "checkpoint-8", MANIFEST_NAME));
  assert.equal(getLastCheckpoint(out), path.join(out, "checkpoint-4"));
});

test("resume is exact at the end: no step past max_steps, no duplicate log lines, train_loss over the whole run", async () => {
  const full = await demoTrainer({ ...SHORT, output_dir: tempDir() });
  const fullOut = await full.train();
  const out = tempDir();
  // Killed after step 6: the log already holds steps 5-6, the last checkpoint is at 4.
  const stopAt6 = { onStepEnd: (_a: unknown, state: { global_step: number }, control: { should_training_stop: boolean }) => { if (state.global_step === 6) control.should_training_stop = true; } };
  const killed = await demoTrainer({ ...SHORT, output_dir: out }, { callbacks: [stopAt6] });
  await killed.train();
  fs.rmSync(path.join(out, "checkpoint-6"), { recursive: true, force: true }); // the kill came before the step-6 save
  const resumed = await demoTrainer({ ...SHORT, output_dir: out });
  const resumedOut = await resumed.train({ resume_from_checkpoint: true });
  assert.equal(resumed.state.global_step, 8);
  assert.deepEqual(losses(resumed.state.log_history), losses(full.state.log_history));
  const steps = logLines(out).filter((e) => "loss" in e).map((e) => e.step);
  assert.deepEqual(steps, [2, 4, 6, 8], "each step logged once");
  assert.equal(resumedOut.training_loss, fullOut.training_loss, "train_loss averages every step of the run");
  // --resume on the finished run: nothing left to train, the same summary.
  const again = await demoTrainer({ ...SHORT, output_dir: out });
  const againOut = await again.train({ resume_from_checkpoint: true });
  assert.equal(again.state.global_step, 8, "no step past max_steps");
  assert.equal(againOut.training_loss, fullOut.training_loss);
  assert.equal(logLines(out).filter((e) => "train_loss" in e).length, 1, "one summary line");
});

test("NaN weights never reach a checkpoint; a loss growing by orders of magnitude is named", async () => {
  const out = tempDir();
  const nan = await demoTrainer({ max_steps: 4, save_steps: 1, logging_steps: 1, output_dir: out, learning_rate: 1e38, max_grad_norm: 0 });
  await assert.rejects(() => nan.train(), (e: Error) => e instanceof NonFiniteWeightsError || /is (NaN|Infinity|-Infinity) at step/.test(e.message));
  for (const ckpt of listCheckpoints(out)) {
    for (const [name, t] of loadTensors(path.join(ckpt, "model.safetensors"))) {
      assert.ok(t.toFloat32Array().every(Number.isFinite), `${path.basename(ckpt)}: ${name} is finite`);
    }
  }
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (m: string) => void warnings.push(String(m));
  try {
    const diverging = await demoTrainer({ max_steps: 6, save_strategy: "no", logging_steps: 1, output_dir: tempDir(), learning_rate: 1e6, max_grad_norm: 0 });
    await diverging.train().catch(() => {}); // it may also end in NaN; the warning must come first
  } finally {
    console.warn = warn;
  }
  assert.ok(warnings.some((w) => /the loss grew from .* by orders of magnitude.*learning_rate 1000000 is very high/.test(w)), warnings.join("\n"));
});

test("the final save is one step: a failure mid-save leaves the folder as it was", async () => {
  const out = tempDir();
  let failing = false;
  const tokenizer = { savePretrained: (dir: string) => { if (failing) throw new Error("disk gone"); fs.writeFileSync(path.join(dir, "tokenizer.json"), "{}"); } };
  const t = await demoTrainer({ ...SHORT, max_steps: 2, output_dir: out }, { tokenizer });
  await t.train();
  failing = true;
  const before = fs.readdirSync(out).sort();
  assert.throws(() => t.saveModel(out), /disk gone/);
  assert.deepEqual(fs.readdirSync(out).sort(), before, "no model.safetensors without its tokenizer");
});

test("an I/O error (ENOSPC) names the file and what to do", () => {
  const fsc = createRequire(import.meta.url)("node:fs") as typeof fs;
  const original = fsc.writeSync;
  fsc.writeSync = (() => {
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  }) as typeof fs.writeSync;
  syncBuiltinESMExports();
  const file = path.join(tempDir(), "results.json");
  try {
    assert.throws(() => writeJsonAtomic(file, { a: 1 }), new RegExp(`\\[io\\] ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: could not write \\(no space left on the disk \\(ENOSPC\\)\\); free disk space`));
  } finally {
    fsc.writeSync = original;
    syncBuiltinESMExports();
  }
  assert.ok(!fs.existsSync(file) && fs.readdirSync(path.dirname(file)).length === 0, "no file and no temporary left");
});
