/** Writing an export's output: a whole folder appears at once, or not at all. */
import * as fs from "node:fs";
import * as path from "node:path";
import { PeftModel } from "../peft/peft_model.js";
import { QuantizedLinear } from "../quant/quantized_linear.js";
import type { Module } from "../nn/index.js";

/**
 * Exporters take plain float models: an adapter is merged into its base first, and 4-/8-bit
 * layers are dequantized (the files hold float weights; GGUF quantizes with its own types).
 */
export function requirePlainModel(model: Module): void {
  if (model instanceof PeftModel) {
    throw new Error("[export] this is a PEFT model; merge the adapter first (model.mergeAndUnload(), or `tunelab merge`), then export the merged model");
  }
  const quantized = [...model.namedModules()].find(([, m]) => m instanceof QuantizedLinear);
  if (quantized) {
    throw new Error(`[export] ${model.constructor.name} has bitsandbytes 4-/8-bit layers ("${quantized[0]}"); exporters write float weights: call dequantizeModel(model) first (tunelab export does this itself)`);
  }
}

/**
 * Runs `fill(tmp)` on a fresh sibling folder of `outDir`, then swaps it into place, so a
 * reader never sees a half-written export and a failure leaves the previous one intact.
 * An existing non-empty `outDir` is replaced only when `isPrevious(outDir)` says it holds
 * an earlier export of the same kind; anything else is refused rather than deleted.
 */
export async function writeFolderAtomic(outDir: string, isPrevious: (dir: string) => boolean, fill: (tmp: string) => void | Promise<void>): Promise<void> {
  const out = path.resolve(outDir);
  if (fs.existsSync(out)) {
    if (!fs.statSync(out).isDirectory()) throw new Error(`[export] ${outDir} exists and is not a folder; choose another output path`);
    if (fs.readdirSync(out).length > 0 && !isPrevious(out)) {
      throw new Error(`[export] ${outDir} is not empty and holds no earlier export; choose a new or empty folder`);
    }
  }
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-export-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
    if (fs.existsSync(out)) {
      const old = `${out}.old-export-${process.pid}`;
      fs.renameSync(out, old);
      fs.renameSync(tmp, out);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, out);
    }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
