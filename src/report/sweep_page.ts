/**
 * sweep.md and sweep.html for `tunelab sweep`: the trials ranked by the metric, the metric
 * against every swept value (one chart per key), and every trial's metric curve overlaid.
 */
import * as path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/json.js";
import { lineChartSpec, renderSvg, scatterSpec, type Series } from "./charts.js";
import { escapeHtml, figure, htmlPage, htmlTable, markdownTable, type Cell } from "./html.js";
import { readRun, seriesOf } from "./run_data.js";
import { machineLine } from "./compare_page.js";

export interface TrialRow {
  trial: string;
  dir: string;
  params: Record<string, unknown>;
  status: "done" | "pruned" | "failed";
  note?: string;
  /** The best value of the metric over the trial's evaluations. */
  value: number | null;
  step: number | null;
  steps?: number;
  train_runtime?: number;
}

export interface SweepPageOptions {
  metric: string;
  greater: boolean;
  config: string;
  strategy: string;
  bestConfig: string | null;
  /** The swept keys, with whether a range is on a log scale. */
  parameters: Record<string, { kind: string; log?: boolean }>;
}

const shown = (v: unknown): Cell => (typeof v === "number" || typeof v === "string" ? v : JSON.stringify(v));

export async function writeSweepPages(root: string, ranked: TrialRow[], opts: SweepPageOptions): Promise<{ markdown: string; html: string; charts: string[] }> {
  const keys = Object.keys(opts.parameters);
  const m = opts.metric.replace(/^eval_/, "");
  const headers = ["rank", "trial", ...keys, `best ${m}`, "at step", "steps", "wall time (s)", "status"];
  const cells: Cell[][] = ranked.map((r, i) => [
    r.value === null ? null : i + 1, r.trial, ...keys.map((k) => shown(r.params[k])), r.value, r.step, r.steps, r.train_runtime,
    r.note ? `${r.status}: ${r.note}` : r.status,
  ]);
  const machine = machineLine();
  const intro = `Config: \`${opts.config}\`; ${opts.strategy} search over ${keys.join(", ")}; ranked by ${opts.metric} (${opts.greater ? "higher" : "lower"} is better).`;
  const best = opts.bestConfig ? `Best config, ready for \`tunelab train\`: \`${opts.bestConfig}\`.` : "No trial produced the metric.";
  const markdown = path.join(root, "sweep.md");
  writeFileAtomic(markdown, [`# tunelab sweep`, "", intro, "", markdownTable(headers, cells), best, "", `Machine: ${machine}.`, ""].join("\n"));
  writeJsonAtomic(path.join(root, "sweep_results.json"), { config: opts.config, metric: opts.metric, greater_is_better: opts.greater, best_config: opts.bestConfig, trials: ranked });

  const charts: { key: string; svg: string }[] = [];
  const scored = ranked.filter((r) => r.value !== null);
  for (const k of keys) {
    const points = scored.map((r) => ({ x: r.params[k] as number | string, y: r.value!, trial: r.trial }))
      .map((p) => (typeof p.x === "number" || typeof p.x === "string" ? p : { ...p, x: JSON.stringify(p.x) }));
    const numeric = points.every((p) => typeof p.x === "number");
    const logX = numeric && opts.parameters[k].log === true && points.every((p) => (p.x as number) > 0);
    if (points.length) charts.push({ key: `param-${k}`, svg: await renderSvg(scatterSpec(`${m} against ${k}`, k, m, points, { logX })) });
  }
  const series: Series[] = scored.map((r) => ({ name: r.trial, points: seriesOf(readRun(r.dir).state.log_history, opts.metric) })).filter((s) => s.points.length);
  if (series.length) charts.push({ key: "trials", svg: await renderSvg(lineChartSpec(`Validation ${m}, every trial`, m, series)) });

  const body = [
    `<h1>tunelab sweep</h1><p class="sub">${escapeHtml(intro.replace(/`/g, ""))}</p>`,
    htmlTable(headers, cells, { id: "trials" }),
    `<p class="note">${escapeHtml(best.replace(/`/g, ""))} Machine: ${escapeHtml(machine)}.</p>`,
    `<h2>Charts</h2><div class="charts">${charts.map((c) => figure(c.key, c.svg)).join("\n")}</div>`,
    `<h2>Trials</h2><ul>${ranked.map((r) => `<li><a href="${escapeHtml(encodeURI(`${r.trial}/report.html`))}">${escapeHtml(r.trial)}/report.html</a></li>`).join("")}</ul>`,
  ].join("\n");
  const html = path.join(root, "sweep.html");
  writeFileAtomic(html, htmlPage("tunelab sweep", body));
  return { markdown, html, charts: charts.map((c) => c.key) };
}
