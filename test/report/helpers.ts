// Reading report pages back in tests: charts by data-chart, the values of their points
// (Vega writes them into each mark's aria-label), table rows, safetensors shapes.
import * as fs from "node:fs";

/** The SVG of every figure.chart, by data-chart key, in page order. */
export function figures(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<figure class="chart" data-chart="([^"]+)"[^>]*>([\s\S]*?)<\/figure>/g)) out[m[1]] = m[2];
  return out;
}

/** Point marks' values, from aria-label="step: 12; loss: 0.69; series: training loss" inside mark-symbol groups. */
export function svgPoints(svg: string): { step: number; value: number; series: string }[] {
  const groups = [...svg.matchAll(/<g class="mark-symbol[^"]*"[^>]*>([\s\S]*?)<\/g>/g)].map((g) => g[1]).join("");
  return [...groups.matchAll(/aria-label="step: ([^;"]+); [^:;"]+: ([^;"]+); series: ([^"]+)"/g)].map((m) => ({ step: Number(m[1]), value: Number(m[2]), series: m[3] }));
}

/** A table's body rows as text cells. */
export function tableRows(html: string, id: string): string[][] {
  const table = new RegExp(`<table id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  if (!table) throw new Error(`no table #${id}`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1])![1];
  const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => unescape(c[1])));
}

/** Tensor names and shapes from a safetensors header. */
export function readSafetensorsHeaderKeys(file: string): Record<string, number[]> {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString("utf8")) as Record<string, { shape: number[] }>;
  return Object.fromEntries(Object.entries(header).filter(([k]) => k !== "__metadata__").map(([k, v]) => [k, v.shape]));
}
