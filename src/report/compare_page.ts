/**
 * compare.md and compare.html for `tunelab compare`: one row per method (trainable
 * parameters, saved weights size, peak memory, seconds per step, tokens/s, best validation
 * metric), bar charts of those, and every method's training loss and validation metric
 * overlaid. The machine (CPU, cores, load average) is printed with the figures, since they
 * are timings.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/json.js";
import { barChartSpec, lineChartSpec, renderSvg, type Series } from "./charts.js";
import { escapeHtml, figure, formatBytes, htmlPage, htmlTable, markdownTable, type Cell } from "./html.js";
import { readRun, seriesOf, type RunRecord } from "./run_data.js";

export interface CompareRow {
  method: string;
  status: "done" | "failed" | "unavailable";
  note?: string;
  dir?: string;
  learning_rate?: number;
  trainable_params?: number;
  total_params?: number;
  trainable_pct?: number;
  weights_file?: string;
  weights_bytes?: number;
  peak_rss_mb?: number;
  s_per_step?: number;
  tokens_per_second?: number;
  best_metric?: number | null;
  best_step?: number | null;
  final_metric?: number;
  train_runtime?: number;
  steps?: number;
}

/** Lower is better for losses and perplexity, higher for the rest. */
export function greaterIsBetter(metric: string): boolean {
  return !/loss|perplexity/.test(metric);
}

/** A finished method's row, from its run folder. */
export function compareRow(run: RunRecord, metric: string, status: CompareRow["status"], note?: string): CompareRow {
  const r = run.results ?? {};
  const evals = seriesOf(run.state.log_history, metric);
  const better = greaterIsBetter(metric);
  const best = evals.reduce<{ step: number; value: number } | null>((b, p) => (b === null || (better ? p.value > b.value : p.value < b.value) ? p : b), null);
  const argsFile = path.join(run.dir, "training_args.json");
  const lr = fs.existsSync(argsFile) ? (JSON.parse(fs.readFileSync(argsFile, "utf8")) as { learning_rate?: number }).learning_rate : undefined;
  const info = run.info;
  return {
    method: info?.method ?? run.name, status, note, dir: run.dir, learning_rate: lr,
    trainable_params: info?.trainable_params, total_params: info?.total_params,
    trainable_pct: info ? Number(((100 * info.trainable_params) / Math.max(info.total_params, 1)).toFixed(4)) : undefined,
    weights_file: info?.weights_file, weights_bytes: info?.weights_bytes,
    peak_rss_mb: r.train_peak_rss_mb, tokens_per_second: r.train_tokens_per_second, train_runtime: r.train_runtime,
    s_per_step: r.train_runtime !== undefined && run.state.global_step > 0 ? Number((r.train_runtime / run.state.global_step).toPrecision(4)) : undefined,
    best_metric: best?.value ?? null, best_step: best?.step ?? null, final_metric: r[metric], steps: run.state.global_step,
  };
}

function tableCells(rows: CompareRow[], metric: string): { headers: string[]; cells: Cell[][] } {
  const m = metric.replace(/^eval_/, "");
  const headers = ["method", "learning rate", "trainable params", "trainable %", "saved weights", "peak memory (MiB)", "s/step", "tokens/s", `best ${m} (step)`, `final ${m}`, "wall time (s)"];
  const cells = rows.map((r): Cell[] => r.status !== "done"
    ? [r.method, `${r.status}: ${r.note ?? ""}`, null, null, null, null, null, null, null, null, null]
    : [r.method, r.learning_rate, r.trainable_params, r.trainable_pct, formatBytes(r.weights_bytes), r.peak_rss_mb, r.s_per_step, r.tokens_per_second,
      r.best_metric !== null && r.best_metric !== undefined ? `${Number(r.best_metric.toPrecision(4))} (${r.best_step})` : null, r.final_metric, r.train_runtime]);
  return { headers, cells };
}

export function machineLine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? "unknown CPU"}, ${cpus.length} logical cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(" / ")} (1/5/15 min) at the end`;
}

export async function writeComparePages(root: string, rows: CompareRow[], opts: { metric: string; config: string }): Promise<{ markdown: string; html: string; charts: string[] }> {
  const { headers, cells } = tableCells(rows, opts.metric);
  const machine = machineLine();
  const notes = rows.filter((r) => r.status !== "done").map((r) => `- ${r.method}: ${r.status} — ${r.note ?? ""}`);
  const md = [
    `# tunelab compare`,
    ``,
    `Config: \`${opts.config}\`. Each method trained in its own process; peak memory is that process's peak resident set size.`,
    ``,
    markdownTable(headers, cells),
    `Machine: ${machine}.`,
    ...(notes.length ? ["", ...notes] : []),
    "",
  ].join("\n");
  const markdown = path.join(root, "compare.md");
  writeFileAtomic(markdown, md);
  writeJsonAtomic(path.join(root, "compare_results.json"), { config: opts.config, metric: opts.metric, machine, methods: rows });

  const done = rows.filter((r) => r.status === "done");
  const bars: { key: string; title: string; axis: string; pick: (r: CompareRow) => number | undefined | null; log?: boolean }[] = [
    { key: "trainable_params", title: "Trainable parameters", axis: "parameters", pick: (r) => r.trainable_params, log: true },
    { key: "weights_bytes", title: "Saved weights (adapter or model file)", axis: "bytes", pick: (r) => r.weights_bytes, log: true },
    { key: "peak_rss_mb", title: "Peak memory (resident set)", axis: "MiB", pick: (r) => r.peak_rss_mb },
    { key: "s_per_step", title: "Seconds per training step", axis: "s/step", pick: (r) => r.s_per_step },
    { key: "tokens_per_second", title: "Training throughput", axis: "tokens/s", pick: (r) => r.tokens_per_second },
    { key: "best_metric", title: `Best validation ${opts.metric.replace(/^eval_/, "")}`, axis: opts.metric.replace(/^eval_/, ""), pick: (r) => r.best_metric },
  ];
  const charts: { key: string; svg: string }[] = [];
  for (const b of bars) {
    const data = done.map((r) => ({ name: r.method, value: Number(b.pick(r)) })).filter((d) => Number.isFinite(d.value));
    if (data.length) charts.push({ key: b.key, svg: await renderSvg(barChartSpec(b.title, b.axis, data, { logX: b.log })) });
  }
  const runs = done.filter((r) => r.dir).map((r) => ({ method: r.method, run: readRun(r.dir!) }));
  const overlay = async (key: string, title: string, axis: string, logKey: string) => {
    const series: Series[] = runs.map(({ method, run }) => ({ name: method, points: seriesOf(run.state.log_history, logKey) })).filter((s) => s.points.length);
    if (series.length) charts.push({ key, svg: await renderSvg(lineChartSpec(title, axis, series)) });
  };
  await overlay("training_loss", "Training loss", "loss", "loss");
  await overlay("validation_metric", `Validation ${opts.metric.replace(/^eval_/, "")}`, opts.metric.replace(/^eval_/, ""), opts.metric);

  const body = [
    `<h1>tunelab compare</h1><p class="sub">${escapeHtml(opts.config)} · each method in its own process</p>`,
    htmlTable(headers, cells, { id: "compare" }),
    `<p class="note">Machine: ${escapeHtml(machine)}. Peak memory is each training process's peak resident set size (weights, optimizer state, activations and the runtime).</p>`,
    ...(notes.length ? [`<ul class="note">${notes.map((n) => `<li>${escapeHtml(n.slice(2))}</li>`).join("")}</ul>`] : []),
    `<h2>Charts</h2><div class="charts">${charts.map((c) => figure(c.key, c.svg)).join("\n")}</div>`,
    `<h2>Runs</h2><ul>${done.map((r) => `<li><a href="${escapeHtml(encodeURI(`${r.method}/report.html`))}">${escapeHtml(r.method)}/report.html</a></li>`).join("")}</ul>`,
  ].join("\n");
  const html = path.join(root, "compare.html");
  writeFileAtomic(html, htmlPage("tunelab compare", body));
  return { markdown, html, charts: charts.map((c) => c.key) };
}
