/**
 * Which linear layers become 4-bit (Transformers' replace_with_bnb_linear), and the swap
 * itself: in place for a model already in memory, or one layer at a time by a loader.
 */
import { type Tensor, noGrad } from "../tensor/index.js";
import { type Module, Linear } from "../nn/index.js";
import { Linear4bit } from "./linear4bit.js";
import { type QuantState, quantize4bitRaw } from "./functional.js";
import { type BitsAndBytesConfig, isSkipped } from "./config.js";

export interface QuantizationTarget {
  module: Module & { bias?: Tensor | null };
  /** out_in (nn.Linear) or in_out (GPT-2's Conv1D: transposed to (out, in) before quantizing). */
  layout: "out_in" | "in_out";
  inFeatures: number;
  outFeatures: number;
  /** Replaces the layer by a Linear4bit holding this weight (the old layer's bias kept). */
  install(packed: Uint8Array, state: QuantState, qc: BitsAndBytesConfig): Linear4bit;
}

/**
 * Every nn.Linear / Conv1D except the skipped ones. With no llm_int8_skip_modules, the task
 * head (linears outside the base model `prefix`: lm_head, score, classifier, qa_outputs)
 * stays in full precision, as Transformers keeps the output layer; a given list replaces
 * that default, as in Transformers.
 */
export function quantizationTargets(model: Module, prefix: string, qc: BitsAndBytesConfig): Map<string, QuantizationTarget> {
  const hasBase = !!prefix && [...model.namedModules()].some(([p]) => p === prefix);
  const skipped = (p: string) => (qc.llm_int8_skip_modules ? isSkipped(p, qc.llm_int8_skip_modules) : hasBase && !p.startsWith(prefix + "."));
  const out = new Map<string, QuantizationTarget>();
  for (const [path, m] of model.namedModules()) {
    if (!path) continue;
    const layout = m instanceof Linear ? "out_in" : m.constructor.name === "Conv1D" ? "in_out" : null;
    if (!layout || skipped(path)) continue;
    const w = m.param("weight");
    const dot = path.lastIndexOf(".");
    const parent = dot < 0 ? model : model.getSubmodule(path.slice(0, dot));
    const name = path.slice(dot + 1);
    const [outFeatures, inFeatures] = layout === "out_in" ? w.shape : [w.shape[1], w.shape[0]];
    const module = m as Module & { bias?: Tensor | null };
    out.set(path, {
      module, layout, inFeatures, outFeatures,
      install(packed, state, c) {
        const layer = new Linear4bit(inFeatures, outFeatures, packed, state, module.bias ?? null, { compute_dtype: c.bnb_4bit_compute_dtype });
        parent.replaceModule(name, layer);
        return layer;
      },
    });
  }
  return out;
}

/** Quantizes the linear layers of a model already in memory, in place, one layer at a time. */
export function quantizeModel(model: Module, prefix: string, qc: BitsAndBytesConfig): number {
  const targets = quantizationTargets(model, prefix, qc);
  const replaced: Tensor[] = [];
  noGrad(() => {
    for (const t of targets.values()) {
      const weight = t.module.param("weight");
      const oriented = t.layout === "in_out" ? weight.transpose(0, 1).contiguous() : weight.contiguous();
      const src = oriented.dtype === "float32" || oriented.dtype === "bfloat16" || oriented.dtype === "float16" ? oriented : oriented.to("float32");
      const { packed, state } = quantize4bitRaw({ data: src.data as Float32Array | Uint16Array, dtype: src.dtype as "float32" | "bfloat16" | "float16" }, [t.outFeatures, t.inFeatures], {
        quant_type: qc.bnb_4bit_quant_type, blocksize: 64, compress_statistics: qc.bnb_4bit_use_double_quant,
      });
      for (const tmp of new Set([oriented, src])) if (tmp !== weight) tmp.dispose();
      t.install(packed, state, qc);
      replaced.push(weight);
    }
  });
  // The full-precision weights go, unless another module still uses one (a tied weight).
  const live = new Set(model.parameters());
  for (const w of replaced) if (!live.has(w)) w.dispose();
  return targets.size;
}
