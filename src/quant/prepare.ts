/**
 * PEFT's prepare_model_for_kbit_training, and the base QLoRA trains on. On a 4- or 8-bit base:
 * every parameter is frozen, parameters still in 16 bits (norms, embeddings, heads) become
 * float32 for stable training, and gradient checkpointing is switched on when asked. PEFT
 * also calls enable_input_require_grads so that reentrant checkpointing sees a gradient-
 * carrying input; tunelab's checkpoint swaps a frozen block input for a leaf that asks for
 * a gradient itself (nn/gradient_checkpointing.ts), so adapters inside checkpointed layers always train.
 */
import type { Module } from "../nn/index.js";
import { QuantizedLinear } from "./quantized_linear.js";
import { type BitsAndBytesConfig, parseQuantizationConfig, quantizationConfigToDict } from "./config.js";
import { quantizeModel } from "./replace.js";

/** `method: qlora` without a quantization section: the QLoRA paper's NF4 with double quantization. */
export const QLORA_DEFAULT_CONFIG: BitsAndBytesConfig = parseQuantizationConfig({
  load_in_4bit: true, bnb_4bit_quant_type: "nf4", bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: "float32",
})!;

export function isQuantized(model: Module): boolean {
  for (const [, m] of model.namedModules()) if (m instanceof QuantizedLinear) return true;
  return false;
}

export function prepareModelForKbitTraining(model: Module, opts: { use_gradient_checkpointing?: boolean } = {}): Module {
  for (const [path, m] of model.namedModules()) {
    for (const [name, t] of [...m.namedParameters()].filter(([k]) => !k.includes("."))) {
      if (t.dtype === "bfloat16" || t.dtype === "float16") m.setParameter(name, t.to("float32"));
      void path;
    }
  }
  model.requiresGrad(false);
  if (opts.use_gradient_checkpointing ?? true) {
    const gc = model as Module & { gradientCheckpointing?: boolean };
    if (typeof gc.gradientCheckpointing === "boolean") gc.gradientCheckpointing = true;
  }
  return model;
}

/**
 * QLoRA's base: quantized in place with `qc` (default NF4 + double quantization; or
 * load_in_8bit) unless it was loaded quantized already, then prepared for k-bit training (no checkpointing forced:
 * the Trainer's gradient_checkpointing decides).
 */
export function prepareQloraBase(model: Module & { config?: Record<string, unknown> }, prefix: string, qc: BitsAndBytesConfig = QLORA_DEFAULT_CONFIG): void {
  if (!isQuantized(model)) {
    quantizeModel(model, prefix, qc);
    if (model.config) model.config.quantization_config = quantizationConfigToDict(qc);
  }
  prepareModelForKbitTraining(model, { use_gradient_checkpointing: false });
}
