/**
 * Which modules LoRA wraps (tuners/lora/model.py): every target resolved by PEFT's rules gets a
 * LoraLayer (or one more adapter on an existing one), with r/alpha from rank_pattern and
 * alpha_pattern. Conv1D targets force fan_in_fan_out = true and nn.Linear ones false, as PEFT
 * does (and writes into the saved config). `bias` decides which base biases train and are saved.
 */
import type { PreTrainedModel } from "../../models/modeling_utils.js";
import { Linear } from "../../nn/index.js";
import { prepareQloraBase } from "../../quant/prepare.js";
import type { PeftMethod } from "../registry.js";
import { LORA_TARGET_MODULES, resolveTargets, weightLayoutOf, isTunerLayer, walkModules } from "../targets.js";
import { LoraLayer } from "./layer.js";
import { type LoraConfig, readLoraConfig, patternValue } from "./config.js";

export function injectLora(model: PreTrainedModel, config: LoraConfig, adapterName: string): void {
  const { paths } = resolveTargets(model, config, {
    method: "LoRA",
    defaults: LORA_TARGET_MODULES,
    accept: (m) => (m instanceof LoraLayer ? true : !isTunerLayer(m) && weightLayoutOf(m) !== null),
  });
  if (config.target_modules === null) config.target_modules = [...LORA_TARGET_MODULES[String(model.config.model_type)]];
  for (const path of paths) {
    const existing = model.getSubmodule(path);
    const layer = existing instanceof LoraLayer ? existing : new LoraLayer(existing);
    const wantFanInFanOut = layer.layout === "in_out";
    if (config.fan_in_fan_out !== wantFanInFanOut) {
      console.warn(
        `[peft] LoRA: fan_in_fan_out is ${config.fan_in_fan_out} but "${path}" is ${wantFanInFanOut ? "a Conv1D ((in, out) weight)" : `${layer.base_layer instanceof Linear ? "an nn.Linear" : `a ${layer.base_layer.constructor.name}`} ((out, in) weight)`}; setting fan_in_fan_out to ${wantFanInFanOut}`,
      );
      config.fan_in_fan_out = wantFanInFanOut;
    }
    const r = patternValue(config.rank_pattern, path, config.r);
    const alpha = patternValue(config.alpha_pattern, path, config.lora_alpha);
    layer.updateLayer(adapterName, {
      r, alpha, dropout: config.lora_dropout, init: config.init_lora_weights, useRslora: config.use_rslora, useDora: config.use_dora,
    });
    if (layer !== existing) {
      model.replaceModule(path, layer);
    }
  }
}

/** Base biases that train with the adapter: every bias ("all") or those of wrapped layers ("lora_only"). */
export function loraBiasParameters(model: PreTrainedModel, config: LoraConfig, adapterName: string): string[] {
  if (config.bias === "none") return [];
  const out: string[] = [];
  for (const [path] of model.namedParameters()) {
    if (!path.endsWith(".bias") && path !== "bias") continue;
    if (config.bias === "all") {
      if (!path.includes(".lora_") && !path.includes(".modules_to_save.") && !path.includes(".original_module.")) out.push(path);
      continue;
    }
    const owner = path.slice(0, -".bias".length);
    if (owner.endsWith(".base_layer")) {
      const layer = model.getSubmodule(owner.slice(0, -".base_layer".length));
      if (layer instanceof LoraLayer && layer.r.has(adapterName)) out.push(path);
    }
  }
  return out;
}

/** The Lora method as the registry holds it (src/peft/registry.ts lists it). */
export const LORA_METHOD: PeftMethod<LoraConfig> = {
  peft_type: "LORA",
  name: "lora",
  summary: "LoRA: low-rank updates A·B beside frozen linear layers (use_rslora, use_dora: DoRA)",
  variants: [
    { name: "dora", summary: "DoRA: LoRA with a learned magnitude per output (LoRA with use_dora: true)", presets: { use_dora: true } },
    {
      name: "qlora",
      summary: "QLoRA: LoRA on a frozen 4-bit NF4 base (double quantization; or load_in_8bit: LLM.int8), bitsandbytes' formats",
      // A base loaded with quantization_config is already 4-bit; one in memory is quantized here.
      prepareBase: (model) => prepareQloraBase(model, (model.constructor as typeof PreTrainedModel).baseModelPrefix),
    },
  ],
  prefix: "lora_",
  readConfig: readLoraConfig,
  inject: (model, config, adapterName) => injectLora(model, config, adapterName),
  extraSavedParameters: loraBiasParameters,
};
