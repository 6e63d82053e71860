/**
 * Which linear layers become quantized (Transformers' replace_with_bnb_linear), and the swap
 * itself: in place for a model already in memory, or one layer at a time by a loader.
 */
import { type Tensor, noGrad } from "../tensor/index.js";
import { type Module, Linear } from "../nn/index.js";
import { Linear4bit } from "./linear4bit.js";
import { Linear8bit } from "./linear8bit.js";
import type { QuantizedLinear } from "./quantized_linear.js";
import { type FloatSource, QuantState, quantize4bitRaw, quantizeInt8Rows } from "./functional.js";
import { type QuantRaw, QUANT_STATE_SUFFIXES, quantStateFromDict, int8StateFromDict, INT8_STATE_KEYS } from "./serialize.js";
import { type BitsAndBytesConfig, isSkipped } from "./config.js";

export interface QuantizationTarget {
  module: Module & { bias?: Tensor | null };
  /** out_in (nn.Linear) or in_out (GPT-2's Conv1D: transposed to (out, in) before quantizing). */
  layout: "out_in" | "in_out";
  inFeatures: number;
  outFeatures: number;
  /** Quantizes the (out, in) weight `src` as the config asks and replaces the layer (its bias kept). */
  quantizeAndInstall(src: FloatSource): QuantizedLinear;
  /** Replaces the layer by one holding a serialized quantized weight (keys relative to the module). */
  installSerialized(parts: Map<string, QuantRaw>): QuantizedLinear;
}

/** Keys, relative to a module, of a weight saved quantized with this config ("weight" first). */
export function serializedWeightKeys(qc: BitsAndBytesConfig): string[] {
  return qc.load_in_8bit ? [...INT8_STATE_KEYS] : ["weight", ...QUANT_STATE_SUFFIXES.map((s) => `weight.${s}`)];
}

/** Whether a key (relative to a module) shows the checkpoint holds that weight quantized already. */
export function isPreQuantizedKey(qc: BitsAndBytesConfig, rel: string): boolean {
  return qc.load_in_8bit ? rel === "SCB" : rel.startsWith("weight.quant_state.");
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
    const swap = <L extends QuantizedLinear>(layer: L): L => {
      layer.sourceLayout = layout;
      parent.replaceModule(name, layer);
      return layer;
    };
    const bias = () => module.bias ?? null;
    const make8bit = (q: ReturnType<typeof quantizeInt8Rows>) => swap(new Linear8bit(inFeatures, outFeatures, q, bias(), { threshold: qc.llm_int8_threshold }));
    const make4bit = (packed: Uint8Array, state: QuantState) =>
      swap(new Linear4bit(inFeatures, outFeatures, packed, state, bias(), { compute_dtype: qc.bnb_4bit_compute_dtype, quant_storage: qc.bnb_4bit_quant_storage, where: path }));
    out.set(path, {
      module, layout, inFeatures, outFeatures,
      quantizeAndInstall(src) {
        if (qc.load_in_8bit) return make8bit(quantizeInt8Rows(src, outFeatures, inFeatures));
        const { packed, state } = quantize4bitRaw(src, [outFeatures, inFeatures], {
          quant_type: qc.bnb_4bit_quant_type, blocksize: 64, compress_statistics: qc.bnb_4bit_use_double_quant,
        });
        return make4bit(packed, state);
      },
      installSerialized(parts) {
        if (qc.load_in_8bit) return make8bit(int8StateFromDict(parts, path, [outFeatures, inFeatures]));
        const { packed, state } = quantStateFromDict(parts, path);
        return make4bit(packed, state);
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
      t.quantizeAndInstall({ data: src.data as Float32Array | Uint16Array, dtype: src.dtype as FloatSource["dtype"] });
      for (const tmp of new Set([oriented, src])) if (tmp !== weight) tmp.dispose();
      replaced.push(weight);
    }
  });
  // The full-precision weights go, unless another module still uses one (a tied weight).
  const live = new Set(model.parameters());
  for (const w of replaced) if (!live.has(w)) w.dispose();
  return targets.size;
}
