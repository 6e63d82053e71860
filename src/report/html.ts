/**
 * The pages' shared parts: one self-contained HTML document (inline CSS, inline SVG, no
 * script, no external URL), escaped text, tables, and number formatting. Markdown tables
 * use the same cells.
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** A number for a table: integers with separators, others with 4 significant digits. */
export function formatValue(v: number | string | null | undefined): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "–";
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export type Cell = string | number | null | undefined;

export function htmlTable(headers: string[], rows: Cell[][], opts: { id?: string; className?: string } = {}): string {
  const cell = (c: Cell, tag: string) => `<${tag}${typeof c === "number" ? ' class="num"' : ""}>${escapeHtml(formatValue(c))}</${tag}>`;
  const attrs = `${opts.id ? ` id="${escapeHtml(opts.id)}"` : ""}${opts.className ? ` class="${escapeHtml(opts.className)}"` : ""}`;
  return `<table${attrs}><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => cell(c, "td")).join("")}</tr>`).join("\n")}</tbody></table>`;
}

export function markdownTable(headers: string[], rows: Cell[][]): string {
  const esc = (c: Cell) => formatValue(c).replace(/\|/g, "\\|");
  const align = rows.length ? rows[0].map((c) => (typeof c === "number" ? "---:" : "---")) : headers.map(() => "---");
  return [`| ${headers.join(" | ")} |`, `| ${align.join(" | ")} |`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n") + "\n";
}

/** A chart's SVG inside a figure the tests and the browser check find by data-chart. */
export function figure(key: string, svg: string, caption?: string): string {
  return `<figure class="chart" data-chart="${escapeHtml(key)}" id="chart-${escapeHtml(key)}">${svg}${caption ? `<figcaption>${escapeHtml(caption)}</figcaption>` : ""}</figure>`;
}

const STYLE = `
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 24px auto; max-width: 1240px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #666; font-size: 13px; margin-top: 0; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; } th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
figure.chart { margin: 0; border: 1px solid #eee; padding: 6px; }
figcaption { font-size: 12px; color: #555; max-width: 560px; }
details { margin-top: 16px; } summary { cursor: pointer; }
.note { font-size: 13px; color: #444; }`;

/** A complete document: no script, no external resource (the CSP says so to the browser too). */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
