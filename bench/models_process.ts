/**
 * A worker process of `npm run bench -- models` (bench/models_worker.ts for tunelab and
 * onnxruntime, bench/models_torch.py for PyTorch): JSON commands in, JSON answers out, one
 * per line. One process per engine per row, so each reports its own peak RSS.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PYTHON, repoRoot } from "./common.js";

export type Answer = Record<string, unknown>;

export class EngineProcess {
  private proc: ChildProcessWithoutNullStreams;
  private waiting: ((line: string | null) => void)[] = [];
  private stderr = "";
  private exited = false;

  private constructor(readonly label: string, cmd: string, args: string[], env: Record<string, string> = {}) {
    this.proc = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.proc.stderr.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    createInterface({ input: this.proc.stdout }).on("line", (line) => this.waiting.shift()?.(line));
    this.proc.on("exit", () => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w(null);
    });
    this.proc.stdin.on("error", () => undefined); // a dead worker answers through "exit"
  }

  static tunelab(): EngineProcess {
    return new EngineProcess("tunelab", process.execPath, [join(repoRoot, "dist", "bench", "models_worker.js"), "tunelab"]);
  }

  static ort(): EngineProcess {
    return new EngineProcess("onnxruntime", process.execPath, [join(repoRoot, "dist", "bench", "models_worker.js"), "ort"]);
  }

  /** PyTorch with OMP_WAIT_POLICY as given (PASSIVE: idle OpenMP threads sleep instead of spinning). */
  static torch(waitPolicy: "default" | "PASSIVE"): EngineProcess {
    const env: Record<string, string> = waitPolicy === "PASSIVE" ? { OMP_WAIT_POLICY: "PASSIVE" } : {};
    return new EngineProcess(waitPolicy === "PASSIVE" ? "torch (OMP_WAIT_POLICY=PASSIVE)" : "torch", PYTHON, ["-u", join(repoRoot, "bench", "models_torch.py")], env);
  }

  /** Sends one command; rejects with the worker's error (or its last stderr lines when it died). */
  ask(cmd: Answer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error(`${this.label} worker has exited: ${this.lastWords()}`));
      this.waiting.push((line) => {
        if (line === null) return reject(new Error(`${this.label} worker exited: ${this.lastWords()}`));
        let out: Answer;
        try {
          out = JSON.parse(line) as Answer;
        } catch {
          return reject(new Error(`${this.label} worker printed "${line.slice(0, 200)}" instead of a JSON answer`));
        }
        if (typeof out.error === "string") return reject(new Error(`${this.label}: ${out.error}${process.env.TUNELAB_BENCH_DEBUG ? `\n${String(out.trace)}` : ""}`));
        resolve(out);
      });
      this.proc.stdin.write(JSON.stringify(cmd) + "\n");
    });
  }

  async time(threads: number, steps: number, warmup = 0): Promise<number[]> {
    return (await this.ask({ cmd: "time", threads, steps, warmup })).samples as number[];
  }

  /** Peak resident memory (VmHWM) of the process so far, in bytes. */
  async peakRss(): Promise<number> {
    return (await this.ask({ cmd: "rss" })).vmhwm as number;
  }

  private lastWords(): string {
    return this.stderr.trim().split("\n").slice(-3).join(" | ") || "no message";
  }

  close(): void {
    if (!this.exited) this.proc.stdin.end();
  }
}
