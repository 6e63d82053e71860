// A trainer process killed with SIGKILL mid-run resumes from its last complete checkpoint
// and logs exactly the losses of a run that was never interrupted.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { listCheckpoints, stepOf } from "../../src/train/checkpoint_folders.js";
import { demoConfig, readJson, tempDir, tunelab, tunelabAsync, writeConfig } from "./helpers.js";

const TRAINING = { max_steps: 150, logging_steps: 5, save_steps: 5, save_strategy: "steps", eval_strategy: "no", save_total_limit: 3 };

function lossesOf(checkpoint: string): [number, number][] {
  const state = readJson<{ log_history: Record<string, number>[] }>(path.join(checkpoint, "trainer_state.json"));
  return state.log_history.filter((e) => "loss" in e).map((e) => [e.step, e.loss]);
}

test("SIGKILL mid-run, then --resume: the same losses as an uninterrupted run", async () => {
  const dir = tempDir();
  const killedOut = path.join(dir, "killed");
  const killedCfg = writeConfig(dir, demoConfig(killedOut, TRAINING), "killed.yaml");
  const child = tunelabAsync(["train", killedCfg, "--quiet"]);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let killedAt = -1;
  for (let i = 0; i < 3000 && killedAt < 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
    const done = listCheckpoints(killedOut);
    if (done.length && stepOf(done[done.length - 1]) >= 20) {
      child.kill("SIGKILL");
      killedAt = stepOf(done[done.length - 1]);
    }
    if (child.exitCode !== null) break;
  }
  await exited;
  assert.ok(killedAt > 0 && killedAt < 150, `the run was killed mid-way (last checkpoint ${killedAt}); stderr: ${stderr}`);
  assert.ok(!fs.existsSync(path.join(killedOut, "checkpoint-150")), "it did not finish");

  const resumed = tunelab(["train", killedCfg, "--resume", "--quiet"]);
  assert.equal(resumed.status, 0, resumed.output);
  assert.match(resumed.output, /resuming from .*checkpoint-\d+: step \d+/);

  const cleanOut = path.join(dir, "clean");
  const clean = tunelab(["train", writeConfig(dir, demoConfig(cleanOut, TRAINING), "clean.yaml"), "--quiet"]);
  assert.equal(clean.status, 0, clean.output);
  const expected = lossesOf(path.join(cleanOut, "checkpoint-150"));
  assert.equal(expected.length, 30);
  assert.deepEqual(lossesOf(path.join(killedOut, "checkpoint-150")), expected);
});
