/**
 * Charts as static SVG: Vega-Lite specs compiled and rendered by Vega in Node (no browser,
 * no script in the page, nothing fetched), and PNG copies through resvg for terminals and
 * chat. Every point mark carries an aria-label with its exact values ("step: 12; value:
 * 0.6931; series: train loss"), which screen readers and the tests read.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { Resvg } from "@resvg/resvg-js";

export interface Point {
  step: number;
  value: number;
}

export interface Series {
  name: string;
  points: Point[];
}

/** A vertical rule at a step, labelled (best checkpoint, early stop). */
export interface StepMarker {
  step: number;
  label: string;
}

const WIDTH = 480;
const HEIGHT = 240;
const FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif";
const BASE_CONFIG = { font: FONT, background: "white", view: { stroke: "#ddd" }, axis: { labelFontSize: 11, titleFontSize: 12 }, title: { fontSize: 14, anchor: "start" as const } };

/** Values over steps, one line (with points) per series, and labelled vertical rules. */
export function lineChartSpec(title: string, yTitle: string, series: Series[], markers: StepMarker[] = [], opts: { logY?: boolean } = {}): TopLevelSpec {
  const values = series.flatMap((s) => s.points.filter((p) => Number.isFinite(p.value)).map((p) => ({ step: p.step, value: p.value, series: s.name })));
  const positive = values.every((v) => v.value > 0);
  const layers: object[] = [
    {
      data: { values },
      mark: { type: "line", point: { filled: true, size: 28 }, strokeWidth: 1.6 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: "value", type: "quantitative", title: yTitle, scale: { type: opts.logY && positive ? "log" : "linear", zero: false } },
        color: { field: "series", type: "nominal", title: null, scale: { domain: series.map((s) => s.name) }, legend: { orient: "top", direction: "horizontal" } },
      },
    },
  ];
  if (markers.length) {
    const ruleData = { values: markers.map((m) => ({ step: m.step, label: m.label })) };
    layers.push(
      { data: ruleData, mark: { type: "rule", strokeDash: [5, 4], color: "#555" }, encoding: { x: { field: "step", type: "quantitative" } } },
      { data: ruleData, mark: { type: "text", angle: 270, align: "right", baseline: "bottom", dy: -3, dx: -4, y: 0, fontSize: 10, color: "#333" }, encoding: { x: { field: "step", type: "quantitative" }, text: { field: "label" } } },
    );
  }
  return { $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, width: WIDTH, height: HEIGHT, config: BASE_CONFIG, layer: layers } as TopLevelSpec;
}

/** One horizontal bar per name; on a log scale bars start at 1 (a log axis has no zero). */
export function barChartSpec(title: string, xTitle: string, bars: { name: string; value: number }[], opts: { logX?: boolean } = {}): TopLevelSpec {
  const values = bars.filter((b) => Number.isFinite(b.value)).map((b) => ({ name: b.name, value: b.value }));
  const log = opts.logX && values.every((v) => v.value >= 1);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, width: 420, height: { step: 22 }, config: BASE_CONFIG,
    data: { values },
    mark: { type: "bar", color: "#4c78a8" },
    encoding: {
      y: { field: "name", type: "nominal", title: null, sort: null },
      x: { field: "value", type: "quantitative", title: log ? `${xTitle} (log scale)` : xTitle, scale: log ? { type: "log" } : { zero: true } },
      ...(log ? { x2: { datum: 1 } } : {}),
    },
  } as TopLevelSpec;
}

/** A confusion matrix: rows are references, columns predictions, counts written in the cells. */
export function heatmapSpec(title: string, labels: string[], matrix: number[][]): TopLevelSpec {
  const values = matrix.flatMap((row, i) => row.map((count, j) => ({ reference: labels[i], predicted: labels[j], count })));
  const max = Math.max(1, ...values.map((v) => v.count));
  const side = Math.min(480, Math.max(160, 40 * labels.length));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, width: side, height: side, config: BASE_CONFIG,
    data: { values },
    encoding: {
      x: { field: "predicted", type: "nominal", sort: labels, title: "predicted", axis: { labelAngle: 0 } },
      y: { field: "reference", type: "nominal", sort: labels, title: "reference" },
    },
    layer: [
      { mark: "rect", encoding: { color: { field: "count", type: "quantitative", scale: { scheme: "blues", domain: [0, max] }, legend: null } } },
      { mark: { type: "text", fontSize: 12 }, encoding: { text: { field: "count", type: "quantitative" }, color: { condition: { test: `datum.count > ${max / 2}`, value: "white" }, value: "black" } } },
    ],
  } as TopLevelSpec;
}

/** The metric of every trial against one swept value (log x for values spanning decades). */
export function scatterSpec(title: string, xTitle: string, yTitle: string, points: { x: number | string; y: number; trial: string }[], opts: { logX?: boolean } = {}): TopLevelSpec {
  const numeric = points.every((p) => typeof p.x === "number");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", title, width: 360, height: 200, config: BASE_CONFIG,
    data: { values: points },
    mark: { type: "point", filled: true, size: 60 },
    encoding: {
      x: numeric ? { field: "x", type: "quantitative", title: xTitle, scale: opts.logX ? { type: "log" } : { zero: false } } : { field: "x", type: "nominal", title: xTitle },
      y: { field: "y", type: "quantitative", title: yTitle, scale: { zero: false } },
      color: { field: "trial", type: "nominal", legend: null, scale: { domain: points.map((p) => p.trial) } },
    },
  } as TopLevelSpec;
}

/** Compiles and renders a Vega-Lite spec to an SVG string, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterises an SVG (2x scale, white background) with the system's fonts. */
export function svgToPng(svg: string): Buffer {
  return new Resvg(svg, { fitTo: { mode: "zoom", value: 2 }, background: "white", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
}
