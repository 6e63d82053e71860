/**
 * The median rule for sweeps (Optuna's MedianPruner): at each evaluation after the first
 * `warmup_evals`, once `startup_trials` earlier trials reached the same step, a trial whose
 * metric is worse than the median of their values there stops. The decision is written to pruned.json in the run folder,
 * so the sweep can tell a pruned trial from a finished one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { CallbackExtras, TrainerCallback } from "../../train/callbacks.js";
import type { TrainingArguments } from "../../train/training_args.js";
import type { TrainerControl, TrainerState } from "../../train/trainer_state.js";

export const PRUNED_NAME = "pruned.json";

export interface MedianPruningSpec {
  /** The metric's log key (eval_accuracy). */
  metric: string;
  greater_is_better: boolean;
  /** Evaluations every trial makes before it can be pruned. */
  warmup_evals: number;
  /** Earlier trials that must have reached a step before the rule applies there (Optuna's n_startup_trials). */
  startup_trials: number;
  /** Earlier trials' metric by step: [{ "12": 0.61, "24": 0.7 }, ...]. */
  history: Record<string, number>[];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Whether `value` at `step` trails the median of the earlier trials there (null: no earlier trial reached that step). */
export function trailsMedian(spec: MedianPruningSpec, step: number, value: number): { prune: boolean; median: number } | null {
  const others = spec.history.map((h) => h[String(step)]).filter((v): v is number => typeof v === "number");
  if (!others.length || others.length < spec.startup_trials) return null;
  const m = median(others);
  return { prune: spec.greater_is_better ? value < m : value > m, median: m };
}

export class MedianPruningCallback implements TrainerCallback {
  private evals = 0;

  constructor(readonly spec: MedianPruningSpec) {}

  onEvaluate(args: TrainingArguments, state: TrainerState, control: TrainerControl, extras: CallbackExtras): void {
    const value = extras.metrics?.[this.spec.metric];
    if (value === undefined) return;
    this.evals++;
    if (this.evals <= this.spec.warmup_evals) return;
    const verdict = trailsMedian(this.spec, state.global_step, value);
    if (!verdict?.prune) return;
    control.should_training_stop = true;
    const record = { step: state.global_step, metric: this.spec.metric, value, median_of_earlier_trials: verdict.median };
    fs.writeFileSync(path.join(args.output_dir, PRUNED_NAME), JSON.stringify(record, null, 2) + "\n");
  }
}
