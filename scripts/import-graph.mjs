#!/usr/bin/env node
// The import graph of src/: cycles between files (strongly connected components of runtime
// imports; `import type` is erased by tsc and ignored) and imports that climb DESIGN.md's
// layer table. Usage: node scripts/import-graph.mjs [--json]
import * as fs from "node:fs";
import * as path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "src");
// The layers, bottom to top; a file may import from its own layer or a lower one. DESIGN.md's
// table with two corrections the code shows: quant (4-bit/8-bit layers over tensor and nn,
// nothing else) sits below models, which load checkpoints quantized (Transformers'
// from_pretrained(quantization_config)); eval (metrics, importing nothing) sits below train,
// whose Trainer reports them.
const LAYERS = ["tensor", "nn", "io", "quant", "models", "peft", "optim", "data", "distributed", "eval", "train", "generate", "export", "pipelines", "cli", "serve", "report"];
const APPS = new Set(["cli", "serve", "report"]);

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

const files = walk(root).map((f) => path.relative(root, f));
const edges = new Map();
const importRe = /^\s*(import|export)\s+(type\s+)?([^;]*?\s+from\s+)?["'](\.[^"']+)["']/gm;
for (const f of files) {
  const text = fs.readFileSync(path.join(root, f), "utf8");
  const out = [];
  for (const m of text.matchAll(importRe)) {
    if (m[2]) continue; // `import type` / `export type`: erased
    if (m[3] && /^\{[^}]*\}\s+from\s+$/.test(m[3]) && m[3].replace(/^\{|\}\s+from\s+$/g, "").split(",").every((s) => s.trim() === "" || /^type\s/.test(s.trim()))) continue;
    const target = path.normalize(path.join(path.dirname(f), m[4].replace(/\.js$/, ".ts")));
    if (files.includes(target)) out.push(target);
  }
  edges.set(f, [...new Set(out)]);
}

// Tarjan's strongly connected components.
let index = 0;
const idx = new Map(), low = new Map(), stack = [], onStack = new Set(), sccs = [];
function strong(v) {
  idx.set(v, index); low.set(v, index); index++; stack.push(v); onStack.add(v);
  for (const w of edges.get(v)) {
    if (!idx.has(w)) { strong(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
  }
  if (low.get(v) === idx.get(v)) {
    const c = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); c.push(w); } while (w !== v);
    if (c.length > 1 || edges.get(v).includes(v)) sccs.push(c.sort());
  }
}
for (const f of files) if (!idx.has(f)) strong(f);

const layerOf = (f) => {
  const top = f.split(path.sep)[0];
  return top.endsWith(".ts") ? null : top;
};
const rank = (l) => (APPS.has(l) ? LAYERS.indexOf("cli") : LAYERS.indexOf(l));
const upward = [];
for (const [f, targets] of edges) {
  const lf = layerOf(f);
  if (!lf || rank(lf) < 0) continue;
  for (const t of targets) {
    const lt = layerOf(t);
    if (lt && rank(lt) > rank(lf)) upward.push(`${f} -> ${t}  (${lf} imports ${lt})`);
  }
}
const folderCycles = sccs.filter((c) => new Set(c.map(layerOf)).size === 1).length;
if (process.argv.includes("--json")) {
  console.log(JSON.stringify({ files: files.length, cycles: sccs, upward }, null, 2));
} else {
  console.log(`${files.length} files; ${sccs.length} import cycle(s) (${folderCycles} within one folder), ${upward.length} upward import(s)`);
  for (const c of sccs) console.log(`cycle: ${c.join(" <-> ")}`);
  for (const u of upward) console.log(`upward: ${u}`);
}
