/**
 * `tunelab sweep config.yaml`: hyperparameter search over the keys the `sweep:` section
 * names (search_space.ts), one child process per trial in <output_dir>/trial-NNN/, each with
 * the config's own early stopping and, with `pruning: median`, stopped when it trails the
 * median of the earlier trials at the same step. Trials are ranked by the metric
 * (metric_for_best_model by default); the best trial's config is written as best_config.yaml,
 * ready for `tunelab train`; sweep.md / sweep.html show the ranking and the metric against
 * every swept value. Run again, it keeps the trials that finished.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { applyOverrides, ConfigError, readYamlFile, validateConfig } from "../config.js";
import { consoleOutput, trainingArgs, type Output } from "../../pipelines/run.js";
import { metricKey } from "../../train/callbacks.js";
import { readRun, seriesOf } from "../../report/run_data.js";
import { greaterIsBetter } from "../../report/compare_page.js";
import { writeSweepPages, type TrialRow } from "../../report/sweep_page.js";
import { hasCheckpoint, runTrainingChild } from "../tune/child.js";
import { PRUNED_NAME, type MedianPruningSpec } from "../tune/pruning.js";
import { parseSweepSection, planTrials, type ParamValue } from "../tune/search_space.js";
import { resolvedConfigDict } from "../run_record.js";

export interface SweepOptions {
  set?: string[];
}

export const BEST_CONFIG_NAME = "best_config.yaml";

const trialName = (i: number) => `trial-${String(i).padStart(3, "0")}`;

/** Best value of `metric` over a run's evaluations, with its step. */
function bestOf(history: Record<string, number>[], metric: string, greater: boolean): { step: number; value: number } | null {
  return seriesOf(history, metric).reduce<{ step: number; value: number } | null>((b, p) => (b === null || (greater ? p.value > b.value : p.value < b.value) ? p : b), null);
}

export async function sweepCommand(configFile: string, opts: SweepOptions = {}, out: Output = consoleOutput): Promise<TrialRow[]> {
  const raw = applyOverrides(readYamlFile(configFile), opts.set ?? []);
  const baseDir = path.dirname(path.resolve(configFile));
  const problems: string[] = [];
  const spec = parseSweepSection(raw.sweep, problems);
  const { sweep: _s, compare: _c, ...plain } = raw;
  if (problems.length || !spec) throw new ConfigError(configFile, problems);
  const base = validateConfig(plain, configFile, baseDir);
  const root = trainingArgs(base).output_dir;
  const metric = metricKey(spec.metric ?? String(base.training.metric_for_best_model ?? "loss"));
  const greater = spec.greater_is_better ?? (typeof base.training.greater_is_better === "boolean" ? base.training.greater_is_better : greaterIsBetter(metric));
  if (base.training.eval_strategy === undefined || base.training.eval_strategy === "no") {
    throw new ConfigError(configFile, [`sweep: trials are ranked by ${metric}, which needs evaluations; set training.eval_strategy to epoch or steps`]);
  }

  // Every trial's config is built and checked before the first one trains.
  const planned = planTrials(spec);
  const trials: { name: string; dir: string; params: Record<string, ParamValue>; text: string }[] = [];
  for (const [i, params] of planned.entries()) {
    const name = trialName(i);
    const dir = path.join(root, name);
    const sets = Object.entries(params).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    const trialRaw = applyOverrides(plain, sets);
    // The sweep owns the trial's folder (its config and log sit there); a fresh start clears what a cut-short trial left.
    trialRaw.training = { ...(trialRaw.training as Record<string, unknown> ?? {}), output_dir: dir, overwrite_output_dir: true };
    try {
      const cfg = validateConfig(trialRaw, `${configFile} (${name}: ${sets.join(", ")})`, baseDir);
      const text = `# tunelab sweep ${name}: ${sets.join(", ")}\n` + stringify(resolvedConfigDict(cfg));
      trials.push({ name, dir, params, text });
    } catch (err) {
      if (err instanceof ConfigError) problems.push(...err.problems.map((p) => `${name} (${sets.join(", ")}): ${p}`));
      else throw err;
    }
  }
  if (problems.length) throw new ConfigError(configFile, problems);
  fs.mkdirSync(root, { recursive: true });
  out.info(`[sweep] ${trials.length} trials (${spec.strategy}${spec.pruning === "median" ? ", median pruning" : ""}), ranked by ${metric} (${greater ? "higher" : "lower"} is better) → ${root}`);

  const rows: TrialRow[] = [];
  const history: Record<string, number>[] = [];
  for (const [i, t] of trials.entries()) {
    const tag = `[sweep ${i + 1}/${trials.length}] ${t.name} ${Object.entries(t.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")}`;
    const cfgFile = path.join(t.dir, "sweep_trial.yaml");
    const sameConfig = fs.existsSync(cfgFile) && fs.readFileSync(cfgFile, "utf8") === t.text;
    let status: TrialRow["status"];
    let note: string | undefined;
    if (sameConfig && fs.existsSync(path.join(t.dir, "all_results.json"))) {
      out.info(`${tag}: finished earlier, kept`);
      status = fs.existsSync(path.join(t.dir, PRUNED_NAME)) ? "pruned" : "done";
    } else {
      if (!sameConfig && fs.existsSync(t.dir)) fs.rmSync(t.dir, { recursive: true, force: true });
      fs.mkdirSync(t.dir, { recursive: true });
      fs.writeFileSync(cfgFile, t.text);
      const pruning: MedianPruningSpec | undefined = spec.pruning === "median" ? { metric, greater_is_better: greater, warmup_evals: spec.pruning_warmup_evals, startup_trials: spec.pruning_startup_trials, history } : undefined;
      const resume = sameConfig && hasCheckpoint(t.dir);
      const result = await runTrainingChild({ config: cfgFile, resume, pruning }, t.dir);
      if (result.status !== 0) {
        out.warn(`${tag}: failed (exit ${result.status}); see ${path.join(t.dir, "train.log")}:\n${result.tail}`);
        rows.push({ trial: t.name, dir: t.dir, params: t.params, status: "failed", note: result.tail.split("\n").at(-1) ?? "", value: null, step: null });
        continue;
      }
      status = fs.existsSync(path.join(t.dir, PRUNED_NAME)) ? "pruned" : "done";
    }
    const run = readRun(t.dir);
    const best = bestOf(run.state.log_history, metric, greater);
    if (status === "pruned") {
      const p = JSON.parse(fs.readFileSync(path.join(t.dir, PRUNED_NAME), "utf8")) as { step: number; median_of_earlier_trials: number };
      note = `at step ${p.step} (median of earlier trials ${Number(p.median_of_earlier_trials.toPrecision(4))})`;
    }
    history.push(Object.fromEntries(seriesOf(run.state.log_history, metric).map((p) => [String(p.step), p.value])));
    const row: TrialRow = {
      trial: t.name, dir: t.dir, params: t.params, status, note, value: best?.value ?? null, step: best?.step ?? null,
      steps: run.state.global_step, train_runtime: run.results?.train_runtime,
    };
    out.info(`${tag}: ${status}${note ? ` (${note})` : ""}; best ${metric} ${row.value ?? "–"}`);
    rows.push(row);
  }

  const ranked = rankTrials(rows, greater);
  const winner = ranked.find((r) => r.value !== null && r.status === "done") ?? ranked.find((r) => r.value !== null);
  let bestConfig: string | null = null;
  if (winner) {
    const trialCfg = validateConfig(readYamlFile(path.join(winner.dir, "sweep_trial.yaml")), winner.trial, winner.dir);
    bestConfig = path.join(root, BEST_CONFIG_NAME);
    const header = `# Best trial of tunelab sweep ${path.resolve(configFile)}: ${winner.trial} (${metric} ${winner.value}); train it with: tunelab train ${bestConfig}\n`;
    fs.writeFileSync(bestConfig, header + stringify(resolvedConfigDict(trialCfg, { output_dir: path.join(root, "best") })));
  }
  const pages = await writeSweepPages(root, ranked, { metric, greater, config: path.resolve(configFile), strategy: spec.strategy, bestConfig, parameters: spec.parameters });
  out.info(`[sweep] ${pages.markdown}\n[sweep] ${pages.html}`);
  if (winner) out.info(`[sweep] best: ${winner.trial} ${Object.entries(winner.params).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(" ")} → ${metric} ${winner.value}; config: ${bestConfig}`);
  else out.warn("[sweep] no trial produced the metric; see the trials' train.log");
  return ranked;
}

/** Better metric first; trials without a value (failed) last, in trial order. */
export function rankTrials(rows: TrialRow[], greater: boolean): TrialRow[] {
  return [...rows].sort((a, b) => {
    if (a.value === null || b.value === null) return a.value === null ? (b.value === null ? 0 : 1) : -1;
    return greater ? b.value - a.value : a.value - b.value;
  });
}
