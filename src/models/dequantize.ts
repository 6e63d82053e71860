/**
 * Transformers' `model.dequantize()`: every 4- or 8-bit (bitsandbytes) layer becomes a float
 * layer of the type it replaced — nn.Linear, or GPT-2's Conv1D with its weight back in (in, out)
 * — and quantization_config leaves the config, so what is saved or exported is an ordinary
 * float checkpoint that any Hugging Face loader reads as it would the original.
 */
import { noGrad } from "../tensor/index.js";
import { type Module, type LinearLike, Linear, withDeferredInit } from "../nn/index.js";
import { QuantizedLinear } from "../quant/quantized_linear.js";
import { Conv1D } from "./gpt2/modeling.js";
import type { PreTrainedModel } from "./modeling_utils.js";

/** A float layer of `layout`'s type holding `linear`'s weight (out, in) and bias: Conv1D for (in, out). */
export function toSourceLayer(linear: Linear, layout: "out_in" | "in_out"): LinearLike {
  if (layout === "out_in") return linear;
  const [out, inp] = linear.weight.shape;
  return noGrad(() => {
    const conv = withDeferredInit(() => new Conv1D(out, inp));
    conv.setParameter("weight", linear.weight.transpose(0, 1).contiguous());
    if (linear.bias) conv.setParameter("bias", linear.bias);
    return conv;
  });
}

/**
 * Replaces every quantized layer of `model` by its float32 (or bfloat16) dequantized copy of
 * the source type, in place, and drops quantization_config. Returns how many layers changed.
 */
export function dequantizeModel(model: Module & Partial<Pick<PreTrainedModel, "config">>, dtype: "float32" | "bfloat16" = "float32"): number {
  let n = 0;
  for (const [path, m] of [...model.namedModules()]) {
    if (!(m instanceof QuantizedLinear)) continue;
    model.replaceModule(path, toSourceLayer(m.toLinear(dtype), m.sourceLayout));
    n++;
  }
  if (model.config) delete model.config.quantization_config;
  return n;
}
