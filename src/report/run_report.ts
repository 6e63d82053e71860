/**
 * report.html for one run folder: training and evaluation loss on one axis (overfitting
 * shows as the curves parting), learning rate, gradient norm, every evaluation metric over
 * steps, the best checkpoint and an early stop marked on each, a summary table, the final
 * metrics, the confusion matrix for classifiers, and every logged value in a table. With
 * `png`, each chart is also written as charts/<name>.png.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../io/json.js";
import { heatmapSpec, lineChartSpec, renderSvg, svgToPng, type StepMarker } from "./charts.js";
import { escapeHtml, figure, htmlPage, htmlTable, type Cell } from "./html.js";
import { earlyStopStep, evalMetricNames, readRun, REPORT_NAME, seriesOf, type RunRecord } from "./run_data.js";
import type { TopLevelSpec } from "vega-lite";

export interface ChartSpec {
  key: string;
  spec: TopLevelSpec;
  caption?: string;
}

export interface WrittenReport {
  html: string;
  charts: string[];
  pngs: string[];
}

/** "eval_accuracy" → "accuracy". */
const bare = (k: string) => k.replace(/^eval_/, "");

export function runMarkers(run: RunRecord): StepMarker[] {
  const markers: StepMarker[] = [];
  if (run.state.best_global_step !== null) markers.push({ step: run.state.best_global_step, label: `best (step ${run.state.best_global_step})` });
  const stop = earlyStopStep(run);
  if (stop !== null) markers.push({ step: stop, label: `early stop (step ${stop})` });
  return markers;
}

/** The run's charts, in page order; a chart with nothing logged is left out. */
export function runCharts(run: RunRecord): ChartSpec[] {
  const h = run.state.log_history;
  const markers = runMarkers(run);
  const charts: ChartSpec[] = [];
  const loss = [{ name: "training loss", points: seriesOf(h, "loss") }, { name: "evaluation loss", points: seriesOf(h, "eval_loss") }].filter((s) => s.points.length);
  if (loss.length) charts.push({ key: "loss", spec: lineChartSpec("Loss", "loss", loss, markers), caption: "Training loss (mean over each logging interval) and evaluation loss on one axis." });
  const lr = seriesOf(h, "learning_rate");
  if (lr.length) charts.push({ key: "learning_rate", spec: lineChartSpec("Learning rate", "learning rate", [{ name: "learning rate", points: lr }], markers) });
  const gn = seriesOf(h, "grad_norm");
  if (gn.length) charts.push({ key: "grad_norm", spec: lineChartSpec("Gradient norm", "grad norm (before clipping)", [{ name: "grad norm", points: gn }], markers) });
  for (const k of evalMetricNames(h)) {
    charts.push({ key: k, spec: lineChartSpec(`Evaluation ${bare(k)}`, bare(k), [{ name: k, points: seriesOf(h, k) }], markers) });
  }
  const cm = run.info?.confusion_matrix;
  if (cm) charts.push({ key: "confusion_matrix", spec: heatmapSpec(`Confusion matrix (${cm.split})`, cm.labels, cm.matrix), caption: "Rows: reference labels; columns: predicted labels; the final model." });
  return charts;
}

/** The summary rows: what was trained, how big, how fast, how good. */
export function summaryRows(run: RunRecord): [string, Cell][] {
  const { info, results, state } = run;
  const r = results ?? {};
  const rows: [string, Cell][] = [];
  if (info) {
    rows.push(["model", info.model], ["method", info.method], ["task", info.task]);
    rows.push(["trainable params", info.trainable_params], ["total params", info.total_params]);
    rows.push(["trainable %", Number(((100 * info.trainable_params) / Math.max(info.total_params, 1)).toFixed(4))]);
    if (info.weights_file) rows.push([`saved weights (${info.weights_file}) bytes`, info.weights_bytes ?? null]);
  }
  rows.push(["steps", `${state.global_step} of ${state.max_steps}`]);
  const stop = earlyStopStep(run);
  if (stop !== null) rows.push(["stopped early at step", stop]);
  if (r.train_peak_rss_mb !== undefined) rows.push(["peak memory (RSS, MiB)", r.train_peak_rss_mb]);
  if (r.train_tokens_per_second !== undefined) rows.push(["tokens/s", r.train_tokens_per_second]);
  if (r.train_runtime !== undefined) rows.push(["wall time (s)", r.train_runtime]);
  if (r.train_runtime !== undefined && state.global_step > 0) rows.push(["s/step", Number((r.train_runtime / state.global_step).toPrecision(4))]);
  rows.push(["total_flos", state.total_flos]);
  if (state.best_metric !== null) {
    rows.push([`best ${info?.metric_for_best_model ?? "metric"}`, state.best_metric]);
    rows.push(["best step", state.best_global_step]);
    if (state.best_model_checkpoint) rows.push(["best checkpoint", path.basename(state.best_model_checkpoint)]);
  }
  for (const [k, v] of Object.entries(r)) if (/^eval_/.test(k) && !/runtime|per_second/.test(k)) rows.push([`final ${k}`, v]);
  if (r.train_loss !== undefined) rows.push(["final train_loss (mean)", r.train_loss]);
  return rows;
}

/** Every logged value, one row per log entry. */
function logTable(run: RunRecord): string {
  const h = run.state.log_history;
  const keys = [...new Set(h.flatMap((e) => Object.keys(e)))].filter((k) => k !== "step" && k !== "epoch");
  return htmlTable(["step", "epoch", ...keys], h.map((e) => [e.step, e.epoch, ...keys.map((k) => e[k])]), { id: "log" });
}

export async function renderRunReport(run: RunRecord): Promise<{ html: string; charts: { key: string; svg: string }[] }> {
  const charts = await Promise.all(runCharts(run).map(async (c) => ({ ...c, svg: await renderSvg(c.spec) })));
  const title = `tunelab run: ${run.name}`;
  const sub = run.info ? `${run.info.method} fine-tuning of ${run.info.model} (${run.info.task})` : run.dir;
  const status = run.finished ? "" : `<p class="note">This run has not finished (no all_results.json): the page shows what was logged so far.</p>`;
  const body = [
    `<h1>${escapeHtml(title)}</h1><p class="sub">${escapeHtml(sub)} · ${escapeHtml(run.dir)}</p>`,
    status,
    `<h2>Summary</h2>`,
    htmlTable(["", ""], summaryRows(run).map(([k, v]) => [k, v]), { id: "summary" }),
    `<h2>Charts</h2><div class="charts">${charts.filter((c) => c.key !== "confusion_matrix").map((c) => figure(c.key, c.svg, c.caption)).join("\n")}</div>`,
    ...charts.filter((c) => c.key === "confusion_matrix").map((c) => `<h2>Confusion matrix</h2>${figure(c.key, c.svg, c.caption)}`),
    `<details><summary>Every logged value (${run.state.log_history.length} entries)</summary>${logTable(run)}</details>`,
    `<p class="note">Made by tunelab from trainer_state.json, all_results.json and run_info.json; rebuild with <code>tunelab report ${escapeHtml(run.dir)}</code>.</p>`,
  ].join("\n");
  return { html: htmlPage(title, body), charts: charts.map((c) => ({ key: c.key, svg: c.svg })) };
}

/** Writes report.html (and charts/*.png with png) into the run folder. */
export async function writeRunReport(dir: string, opts: { png?: boolean } = {}): Promise<WrittenReport> {
  const run = readRun(dir);
  const { html, charts } = await renderRunReport(run);
  const file = path.join(run.dir, REPORT_NAME);
  writeFileAtomic(file, html);
  const pngs: string[] = [];
  if (opts.png) {
    const chartDir = path.join(run.dir, "charts");
    fs.mkdirSync(chartDir, { recursive: true });
    for (const c of charts) {
      const p = path.join(chartDir, `${c.key}.png`);
      writeFileAtomic(p, svgToPng(c.svg));
      pngs.push(p);
    }
  }
  return { html: file, charts: charts.map((c) => c.key), pngs };
}
