/**
 * Training runs in child processes, one at a time: each method of a comparison and each
 * trial of a sweep gets a fresh process, so its peak memory is its own and a crash in one
 * does not end the others. The child runs trial_main.js, which is `tunelab train` with the
 * extra callbacks a sweep needs; its output goes to train.log in the run folder.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { MedianPruningSpec } from "./pruning.js";

export interface ChildRunSpec {
  /** The run's YAML config. */
  config: string;
  /** Continue from the newest checkpoint in output_dir. */
  resume?: boolean;
  /** Stop the run when it trails the median of earlier trials at the same step. */
  pruning?: MedianPruningSpec;
}

export interface ChildRunResult {
  status: number;
  /** The log's last lines (the error, when status is not 0). */
  tail: string;
}

const TRIAL_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "trial_main.js");
export const CHILD_LOG_NAME = "train.log";

export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(dir) && fs.readdirSync(dir).some((n) => /^checkpoint-\d+$/.test(n));
}

/** Runs one training in a child process; its output is appended to <runDir>/train.log. */
export async function runTrainingChild(spec: ChildRunSpec, runDir: string): Promise<ChildRunResult> {
  fs.mkdirSync(runDir, { recursive: true });
  const specFile = path.join(runDir, "child_spec.json");
  fs.writeFileSync(specFile, JSON.stringify(spec, null, 2) + "\n");
  const logFile = path.join(runDir, CHILD_LOG_NAME);
  const log = fs.openSync(logFile, "a");
  try {
    const status = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [TRIAL_MAIN, specFile], { stdio: ["ignore", log, log], env: { ...process.env, FORCE_COLOR: "0" } });
      child.on("error", reject);
      child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
    const text = fs.readFileSync(logFile, "utf8");
    return { status, tail: text.trimEnd().split("\n").slice(-3).join("\n") };
  } finally {
    fs.closeSync(log);
  }
}
