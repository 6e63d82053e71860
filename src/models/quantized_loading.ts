/**
 * Loading a model with a bitsandbytes quantization_config (Transformers' replace_with_bnb_linear
 * plus its 4-bit weight loading): the model is built with deferred init (its weights take no
 * memory), then the checkpoint is read one tensor at a time. A linear layer's weight is
 * quantized the moment it is read and the layer becomes a Linear4bit/Linear8bit; everything else
 * (embeddings, norms, biases, the heads left in full precision) loads as usual. So the full-
 * precision model never exists: the peak is about the final 4-bit size plus the largest tensor.
 *
 * A checkpoint already saved in 4 or 8 bits (Transformers + bitsandbytes layout, with
 * quantization_config in config.json) loads its codes and scales directly.
 */
import { type Tensor, transpose } from "../tensor/index.js";
import { materializeDeferred } from "../nn/index.js";
import { checkpointFiles } from "../io/model_weights.js";
import { forEachSafetensor, readSafetensorsHeader, type RawTensor } from "../io/safetensors.js";
import { rawToTensor } from "../io/tensors.js";
import type { FloatSource } from "../quant/functional.js";
import type { QuantRaw } from "../quant/serialize.js";
import { type BitsAndBytesConfig, quantizationConfigToDict } from "../quant/config.js";
import { quantizationTargets, serializedWeightKeys, isPreQuantizedKey } from "../quant/replace.js";
import type { PreTrainedModel } from "./modeling_utils.js";

/** A raw float tensor as the quantizer's source, without a float32 copy for bf16/f16/f32. */
function floatSource(raw: RawTensor, name: string, transposeFirst: boolean): { src: FloatSource; shape: number[] } {
  const n = raw.shape.reduce((a, b) => a * b, 1);
  if (!transposeFirst && (raw.dtype === "F32" || raw.dtype === "BF16" || raw.dtype === "F16") && raw.data.byteOffset % 4 === 0) {
    const data = raw.dtype === "F32" ? new Float32Array(raw.data.buffer, raw.data.byteOffset, n) : new Uint16Array(raw.data.buffer, raw.data.byteOffset, n);
    return { src: { data, dtype: raw.dtype === "F32" ? "float32" : raw.dtype === "BF16" ? "bfloat16" : "float16" }, shape: raw.shape };
  }
  const t = rawToTensor(raw, name);
  const c = transposeFirst ? transpose(t, 0, 1).contiguous() : t;
  const data = c.toFloat32Array();
  t.dispose();
  c.dispose();
  return { src: { data, dtype: "float32" }, shape: transposeFirst ? [raw.shape[1], raw.shape[0]] : raw.shape };
}

/**
 * Fills a model built under withDeferredInit from the checkpoint in `dir`, quantizing its
 * linear layers as their weights are read. Returns the model's load report (the 4-bit
 * layers' state counts as loaded).
 */
export function loadQuantizedCheckpoint(model: PreTrainedModel, dir: string, qc: BitsAndBytesConfig, source: string, opts: { quiet?: boolean; keep16bit?: boolean } = {}): void {
  const files = checkpointFiles(dir);
  const allKeys = files.flatMap((f) => [...readSafetensorsHeader(f).tensors.keys()]);
  const toModelKey = model.checkpointKeyMapper(allKeys);
  const targets = quantizationTargets(model, (model.constructor as typeof PreTrainedModel).baseModelPrefix, qc);
  const modelKeys = allKeys.map(toModelKey);
  const partKeys = serializedWeightKeys(qc);
  const preQuantized = new Set([...targets.keys()].filter((p) => modelKeys.some((k) => k.startsWith(`${p}.`) && isPreQuantizedKey(qc, k.slice(p.length + 1)))));
  const expectedParts = new Map<string, number>();
  for (const p of preQuantized) expectedParts.set(p, modelKeys.filter((k) => partKeys.some((s) => k === `${p}.${s}`)).length);

  const pending = new Map<string, Map<string, QuantRaw>>();
  const installed = new Set<string>();
  const rest = new Map<string, Tensor>();
  const targetOf = (key: string): string | null => {
    for (const s of partKeys) {
      const path = key.endsWith(`.${s}`) ? key.slice(0, -s.length - 1) : null;
      if (path !== null && targets.has(path)) return path;
    }
    return null;
  };

  for (const file of files) {
    forEachSafetensor(file, (ckptKey, raw) => {
      const key = toModelKey(ckptKey);
      const path = targetOf(key);
      if (path && preQuantized.has(path)) {
        let parts = pending.get(path);
        if (!parts) pending.set(path, (parts = new Map()));
        parts.set(key.slice(path.length + 1), { ...(raw as QuantRaw), data: raw.data.slice() }); // the reader reuses raw.data
        if (parts.size === expectedParts.get(path)) {
          targets.get(path)!.installSerialized(parts);
          installed.add(path);
          pending.delete(path);
        }
      } else if (path && key === `${path}.weight`) {
        const t = targets.get(path)!;
        if (!["F32", "BF16", "F16", "F64"].includes(raw.dtype)) {
          throw new Error(`[quant] ${source}: "${ckptKey}" is ${raw.dtype}, a weight already quantized in another format than quantization_config asks for (${qc.load_in_8bit ? "load_in_8bit" : "load_in_4bit"}); load it with the quantization_config saved in its config.json`);
        }
        t.quantizeAndInstall(floatSource(raw, ckptKey, t.layout === "in_out").src);
        installed.add(path);
      } else {
        rest.set(ckptKey, rawToTensor(raw, ckptKey, { keep16bit: opts.keep16bit }));
      }
    });
  }
  for (const path of pending.keys()) throw new Error(`[quant] ${source}: the quantized state of "${path}.weight" is incomplete in the checkpoint; re-save it with save_pretrained`);

  const report = model.loadPretrainedTensors(rest, source, true);
  // The quantized layers' buffers were loaded above, not through the state dict.
  const isQuantKey = (k: string) => [...installed].some((p) => partKeys.some((s) => k === `${p}.${s}`));
  report.missingKeys = report.missingKeys.filter((k) => !isQuantKey(k));
  report.newlyInitialized = report.newlyInitialized.filter((k) => !isQuantKey(k));
  // Anything the checkpoint lacked is drawn now (a new classifier head), as init would have.
  materializeDeferred(model);
  model.config.quantization_config = quantizationConfigToDict(qc);
  if (!opts.quiet) model.printLoadReport(source);
}
