/**
 * A run folder read back for reports: trainer_state.json (HF's log_history, best metric and
 * step), all_results.json (the final metrics), run_info.json (what the summary names: model,
 * method, parameter counts, confusion matrix) and, when a run was cut short before its
 * state was saved, the JSONL log and the newest checkpoint's state instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readJsonFile, parseJsonText } from "../io/json.js";

export const RUN_INFO_NAME = "run_info.json";
export const RUN_CONFIG_NAME = "run_config.yaml";
export const REPORT_NAME = "report.html";
const STATE_NAME = "trainer_state.json";
const LOG_NAME = "trainer_log.jsonl";
const RESULTS_NAME = "all_results.json";
/** A log larger than this is not a trainer log (a run logs a few hundred bytes per step). */
const MAX_LOG_BYTES = 256 * 1024 * 1024;

export interface ConfusionMatrixRecord {
  split: string;
  labels: string[];
  /** Rows are references, columns predictions. */
  matrix: number[][];
}

export interface RunInfo {
  model: string;
  method: string;
  task: string;
  trainable_params: number;
  total_params: number;
  metric_for_best_model: string | null;
  greater_is_better: boolean;
  /** The saved weights (adapter_model.safetensors for PEFT methods) and their size. */
  weights_file?: string;
  weights_bytes?: number;
  confusion_matrix?: ConfusionMatrixRecord;
}

export type LogEntry = Record<string, number>;

export interface RunState {
  log_history: LogEntry[];
  global_step: number;
  max_steps: number;
  best_metric: number | null;
  best_global_step: number | null;
  best_model_checkpoint: string | null;
  total_flos: number;
  num_input_tokens_seen: number;
}

export interface RunRecord {
  dir: string;
  name: string;
  state: RunState;
  results: Record<string, number> | null;
  info: RunInfo | null;
  /** Training ended on its own (all_results.json written). */
  finished: boolean;
}

export function isRunFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, STATE_NAME)) || fs.existsSync(path.join(dir, LOG_NAME));
}

function readState(dir: string): RunState {
  const pick = (s: Partial<RunState>): RunState => ({
    log_history: Array.isArray(s.log_history) ? s.log_history : [],
    global_step: Number(s.global_step ?? 0),
    max_steps: Number(s.max_steps ?? 0),
    best_metric: typeof s.best_metric === "number" ? s.best_metric : null,
    best_global_step: typeof s.best_global_step === "number" ? s.best_global_step : null,
    best_model_checkpoint: typeof s.best_model_checkpoint === "string" ? s.best_model_checkpoint : null,
    total_flos: Number(s.total_flos ?? 0),
    num_input_tokens_seen: Number(s.num_input_tokens_seen ?? 0),
  });
  const stateFile = path.join(dir, STATE_NAME);
  if (fs.existsSync(stateFile)) return pick(readJsonFile<Partial<RunState>>(stateFile, { where: "report" }));
  // Cut short: the newest checkpoint's state for the best step, the JSONL log for the history.
  const checkpoints = fs.readdirSync(dir).filter((n) => /^checkpoint-\d+$/.test(n)).sort((a, b) => Number(a.slice(11)) - Number(b.slice(11)));
  const newest = checkpoints.at(-1);
  const state = newest && fs.existsSync(path.join(dir, newest, STATE_NAME)) ? pick(readJsonFile<Partial<RunState>>(path.join(dir, newest, STATE_NAME), { where: "report" })) : pick({});
  state.log_history = readJsonlLog(path.join(dir, LOG_NAME));
  state.global_step = Math.max(state.global_step, ...state.log_history.map((e) => e.step ?? 0));
  return state;
}

/**
 * The JSONL log as log_history: numbers only (the time stamp dropped); a resumed run logs the
 * resumed steps again, so a later entry replaces an earlier one with the same step and keys.
 */
export function readJsonlLog(file: string): LogEntry[] {
  if (!fs.existsSync(file)) throw new Error(`[report] ${path.dirname(file)} is not a run folder: it has neither ${STATE_NAME} nor ${LOG_NAME}; pass the training output_dir`);
  const size = fs.statSync(file).size;
  if (size > MAX_LOG_BYTES) throw new Error(`[report] ${file} is ${size} bytes, more than a training log holds (limit ${MAX_LOG_BYTES}); is it the right file?`);
  const byKey = new Map<string, LogEntry>();
  fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    const raw = parseJsonText<Record<string, unknown>>(line, `${file}:${i + 1}`, "report");
    const entry: LogEntry = {};
    for (const [k, v] of Object.entries(raw)) if (typeof v === "number") entry[k] = v;
    const kind = Object.keys(entry).filter((k) => k !== "step" && k !== "epoch").sort().join(",");
    byKey.set(`${entry.step}|${kind}`, entry);
  });
  return [...byKey.values()];
}

export function readRun(dir: string): RunRecord {
  const abs = path.resolve(dir);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isDirectory()) throw new Error(`[report] ${abs} is not a folder; pass a run's output_dir`);
  const resultsFile = path.join(abs, RESULTS_NAME);
  const infoFile = path.join(abs, RUN_INFO_NAME);
  return {
    dir: abs,
    name: path.basename(abs),
    state: readState(abs),
    results: fs.existsSync(resultsFile) ? readJsonFile<Record<string, number>>(resultsFile, { where: "report" }) : null,
    info: fs.existsSync(infoFile) ? readJsonFile<RunInfo>(infoFile, { where: "report" }) : null,
    finished: fs.existsSync(resultsFile),
  };
}

/** Evaluation keys that are timings, not metrics. */
const EVAL_TIMINGS = /^eval_(runtime|samples_per_second|steps_per_second)$/;

/** Every eval metric the log holds besides the loss (eval_accuracy, eval_f1, ...), in first-seen order. */
export function evalMetricNames(history: LogEntry[]): string[] {
  const names = new Set<string>();
  for (const e of history) for (const k of Object.keys(e)) if (k.startsWith("eval_") && k !== "eval_loss" && !EVAL_TIMINGS.test(k)) names.add(k);
  return [...names];
}

/** (step, value) for every log entry holding key, in log order. */
export function seriesOf(history: LogEntry[], key: string): { step: number; value: number }[] {
  return history.filter((e) => typeof e[key] === "number" && typeof e.step === "number").map((e) => ({ step: e.step, value: e[key] }));
}

/** Where training stopped before max_steps (early stopping, or a stop asked by a callback); null otherwise. */
export function earlyStopStep(run: RunRecord): number | null {
  const s = run.state;
  return run.finished && s.max_steps > 0 && s.global_step < s.max_steps ? s.global_step : null;
}
