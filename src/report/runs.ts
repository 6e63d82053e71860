/** The run folders under a directory, and a plain-text table of their key numbers for `tunelab runs`. */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatValue } from "./html.js";
import { earlyStopStep, isRunFolder, readRun, type RunRecord } from "./run_data.js";

const MAX_DEPTH = 4;

/** Run folders (trainer_state.json or trainer_log.jsonl) at most four levels down, checkpoints excluded; unreadable ones are skipped. */
export function findRuns(root: string): RunRecord[] {
  const found: RunRecord[] = [];
  const walk = (dir: string, depth: number) => {
    if (isRunFolder(dir)) {
      try {
        found.push(readRun(dir));
      } catch {
        // A folder being written, or not a tunelab run: listing the others matters more.
      }
    }
    if (depth >= MAX_DEPTH) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && !/^checkpoint-\d+$/.test(e.name) && e.name !== "node_modules" && !e.name.startsWith(".")) walk(path.join(dir, e.name), depth + 1);
    }
  };
  if (!fs.existsSync(root)) throw new Error(`[runs] ${root} does not exist; pass the folder that holds your runs (default: ./runs)`);
  walk(root, 0);
  return found;
}

function status(run: RunRecord): string {
  if (!run.finished) return "unfinished";
  return earlyStopStep(run) !== null ? "stopped early" : "done";
}

export function runRow(run: RunRecord, root: string): string[] {
  const r = run.results ?? {};
  const metric = run.info?.metric_for_best_model;
  return [
    path.relative(root, run.dir) || ".",
    run.info?.method ?? "?",
    run.info ? path.basename(run.info.model) : "?",
    `${run.state.global_step}/${run.state.max_steps}`,
    formatValue(r.train_runtime),
    formatValue(r.train_tokens_per_second),
    formatValue(r.train_peak_rss_mb),
    run.state.best_metric !== null ? `${metric ?? "best"} ${formatValue(run.state.best_metric)} @${run.state.best_global_step}` : "–",
    formatValue(r.eval_loss),
    status(run),
  ];
}

export function runsTable(runs: RunRecord[], root: string): string {
  const headers = ["run", "method", "model", "steps", "wall s", "tokens/s", "peak MiB", "best", "final eval_loss", "status"];
  const rows = [headers, ...runs.map((r) => runRow(r, root))];
  const widths = headers.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}
