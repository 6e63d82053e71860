/**
 * Progress: a live bar on a terminal (step, epoch, loss, learning rate, it/s, ETA),
 * plain log lines when output is not a terminal (CI, files), and a JSONL file of every
 * logged value in output_dir (`trainer_log.jsonl`), one object per log event.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describeFsError, writeFileAtomic } from "../io/json.js";
import type { TrainerCallback, CallbackExtras } from "./callbacks.js";
import type { TrainingArguments } from "./training_args.js";
import type { TrainerControl, TrainerState } from "./trainer_state.js";

export const TRAINER_LOG_NAME = "trainer_log.jsonl";

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toFixed(4);
}

/** Learning rates in one format everywhere (bar, log lines): 1.13e-3. */
export function formatLearningRate(v: number): string {
  return v.toExponential(2);
}

function formatRate(v: number): string {
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function formatLogValue(key: string, v: number): string {
  if (key === "learning_rate") return `lr ${formatLearningRate(v)}`;
  if (key.endsWith("_runtime")) return `${key} ${formatDuration(v)}`;
  if (key.endsWith("_samples_per_second")) return `${formatRate(v)} samples/s`;
  return `${key} ${formatNumber(v)}`;
}

export interface ProgressOptions {
  stream?: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean; columns?: number };
  /** Force the live bar (true) or plain lines (false); default: whether the stream is a TTY. */
  live?: boolean;
}

export class ProgressCallback implements TrainerCallback {
  private start = 0;
  private startStep = 0;
  private readonly stream: NonNullable<ProgressOptions["stream"]>;
  private readonly live: boolean;
  private lastDraw = -Infinity; // the first step always draws, however soon after process start
  private barShown = false;

  constructor(opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.live = opts.live ?? Boolean((this.stream as { isTTY?: boolean }).isTTY);
  }

  onTrainBegin(_args: TrainingArguments, state: TrainerState): void {
    this.start = performance.now();
    this.startStep = state.global_step;
  }

  private rate(state: TrainerState): number {
    const secs = (performance.now() - this.start) / 1000;
    return secs > 0 ? (state.global_step - this.startStep) / secs : 0;
  }

  onStepEnd(args: TrainingArguments, state: TrainerState, _c: TrainerControl, extras: CallbackExtras): void {
    if (!this.live) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && state.global_step < state.max_steps) return;
    this.lastDraw = now;
    const itps = this.rate(state);
    const eta = itps > 0 ? (state.max_steps - state.global_step) / itps : NaN;
    const width = 24;
    const done = Math.round((width * state.global_step) / Math.max(state.max_steps, 1));
    const bar = "█".repeat(done) + "░".repeat(width - done);
    const live = extras.live;
    const text =
      `${bar} ${state.global_step}/${state.max_steps} | epoch ${state.epoch.toFixed(2)}` +
      (live ? ` | loss ${formatNumber(live.loss)} | lr ${formatLearningRate(live.learning_rate)}` : "") +
      ` | ${itps.toFixed(2)} it/s, ${formatRate(itps * args.per_device_train_batch_size * args.gradient_accumulation_steps)} samples/s | ETA ${formatDuration(eta)}`;
    const cols = (this.stream as { columns?: number }).columns ?? 120;
    this.stream.write(`\r\x1b[2K${text.slice(0, cols - 1)}`);
    this.barShown = true;
  }

  private printLine(line: string): void {
    if (this.barShown) this.stream.write("\r\x1b[2K");
    this.stream.write(line + "\n");
    this.barShown = false;
  }

  /**
   * One short line per log: training (loss, lr, grad norm), an evaluation (its metrics without
   * the eval_ prefix; timings and precision/recall stay in trainer_log.jsonl), or the run's
   * summary. An evaluation outside training has no step to show.
   */
  onLog(_args: TrainingArguments, state: TrainerState, _c: TrainerControl, extras: CallbackExtras): void {
    const logs = extras.logs ?? {};
    const where = state.max_steps > 0 ? `step ${state.global_step}/${state.max_steps} | epoch ${state.epoch.toFixed(2)}` : "";
    const evalPrefix = Object.keys(logs).find((k) => /^(eval|test|validation)_/.test(k))?.split("_")[0];
    if (evalPrefix) {
      const parts = Object.entries(logs)
        .filter(([k]) => k.startsWith(`${evalPrefix}_`) && !/_(runtime|samples_per_second|steps_per_second|precision|recall)$/.test(k))
        .map(([k, v]) => `${k.slice(evalPrefix.length + 1)} ${formatNumber(v)}`);
      this.printLine(`${evalPrefix}${where ? ` @ ${where}` : ""} | ${parts.join(" | ")}`);
      return;
    }
    const parts = Object.entries(logs)
      .filter(([k]) => k !== "step" && k !== "epoch" && !/_steps_per_second$|^total_flos$/.test(k))
      .map(([k, v]) => formatLogValue(k, v));
    const itps = this.rate(state);
    const tail = "loss" in logs && itps > 0 ? ` | ${itps.toFixed(2)} it/s | ETA ${formatDuration((state.max_steps - state.global_step) / itps)}` : "";
    this.printLine(`${where}${where && parts.length ? " | " : ""}${parts.join(" | ")}${tail}`);
  }

  onTrainEnd(): void {
    if (this.barShown) this.stream.write("\n");
    this.barShown = false;
  }
}

/** Appends every logged dict (with step and epoch) to output_dir/trainer_log.jsonl. */
export class JsonlLoggerCallback implements TrainerCallback {
  private file: string | null = null;

  onTrainBegin(args: TrainingArguments, state: TrainerState): void {
    fs.mkdirSync(args.output_dir, { recursive: true });
    this.file = path.join(args.output_dir, TRAINER_LOG_NAME);
    // A resumed run continues the log of its checkpoint: lines the interrupted run wrote after
    // that checkpoint would otherwise appear twice. The file's lines mirror log_history.
    if (state.global_step > 0 && fs.existsSync(this.file)) {
      const lines = fs.readFileSync(this.file, "utf8").split("\n").filter((l) => l.trim());
      if (lines.length > state.log_history.length) writeFileAtomic(this.file, lines.slice(0, state.log_history.length).map((l) => l + "\n").join(""));
    }
  }

  onLog(args: TrainingArguments, state: TrainerState, _c: TrainerControl, extras: CallbackExtras): void {
    const file = this.file ?? path.join(args.output_dir, TRAINER_LOG_NAME);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const entry = { ...extras.logs, step: state.global_step, epoch: state.epoch, time: new Date().toISOString() };
    try {
      fs.appendFileSync(file, JSON.stringify(entry) + "\n");
    } catch (err) {
      throw new Error(`[trainer] ${file}: could not append to the training log (${describeFsError(err)}); free disk space or check the folder`);
    }
  }
}
