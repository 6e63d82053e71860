/**
 * Parameter-efficient fine-tuning in PEFT's own configs and files: LoRA (+ rsLoRA, DoRA), IA3,
 * prompt tuning, prefix tuning, and two methods PEFT lacks — bottleneck adapters and BitFit
 * (formats in docs/peft-formats.md). `applyMethod` is the CLI's entry: `method: full | bitfit |
 * lora | ia3 | adapter | prompt_tuning | prefix_tuning` plus that method's PEFT keys.
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { PeftConfigError } from "./config.js";
import { parsePeftConfig } from "./parse.js";
import { PeftModel, getPeftModel, type PeftModelOptions } from "./peft_model.js";

export {
  type PeftConfig, type TaskType, type PeftMethod, type InjectOptions, PeftConfigError, registerPeftMethod, getPeftMethod, registeredPeftTypes, configToJson,
} from "./config.js";
export { parsePeftConfig, peftConfigProblems } from "./parse.js";
export { PeftModel, TunerModel, getPeftModel, type PeftModelOptions } from "./peft_model.js";
export { type LoraConfig, parseLoraConfig, loraScaling } from "./lora/config.js";
export { LoraLayer } from "./lora/layer.js";
export { loraLayers } from "./lora/model.js";
export { type IA3Config, IA3Layer, parseIA3Config } from "./ia3.js";
export { type BottleneckAdapterConfig, BottleneckAdapterLayer, parseBottleneckAdapterConfig, ADAPTER_PLACEMENTS } from "./adapter.js";
export { type BitFitConfig, parseBitFitConfig } from "./bitfit.js";
export { type PromptTuningConfig, PromptEmbedding, parsePromptTuningConfig } from "./prompt_tuning.js";
export { type PrefixTuningConfig, PrefixEncoder, parsePrefixTuningConfig, PREFIX_TUNING_MODEL_TYPES } from "./prefix_tuning.js";
export { ModulesToSaveWrapper, ModuleDict, ParameterDict } from "./modules_to_save.js";
export {
  LORA_TARGET_MODULES, IA3_TARGET_MODULES, IA3_FEEDFORWARD_MODULES, SEQ_CLS_HEAD_NAMES, resolveTargets, matchesModuleList, weightLayoutOf,
} from "./targets.js";
export { CONFIG_NAME, SAFETENSORS_WEIGHTS_NAME, fileKeyOf } from "./save_and_load.js";

/** CLI method names → PEFT peft_type. */
export const METHOD_TO_PEFT_TYPE: Record<string, string> = {
  lora: "LORA",
  dora: "LORA",
  ia3: "IA3",
  adapter: "BOTTLENECK_ADAPTER",
  bottleneck_adapter: "BOTTLENECK_ADAPTER",
  bitfit: "BITFIT",
  prompt_tuning: "PROMPT_TUNING",
  prefix_tuning: "PREFIX_TUNING",
};

export type MethodSpec = { method?: string; peft_type?: string } & Record<string, unknown>;

/**
 * Applies a training method to `model`: "full" trains every parameter and returns the model
 * itself; any other method (or a dict with peft_type) returns a PeftModel. `method: dora` is LoRA
 * with use_dora. Unknown keys are an error naming them.
 */
export function applyMethod(model: PreTrainedModel, spec: MethodSpec, opts: PeftModelOptions = {}): PreTrainedModel | PeftModel {
  const { method, ...rest } = spec;
  if (method === undefined && rest.peft_type === undefined) {
    throw new PeftConfigError(`[peft] say which method to use: method: full | ${Object.keys(METHOD_TO_PEFT_TYPE).join(" | ")}`);
  }
  const m = method?.toLowerCase();
  if (m === "full") {
    const extra = Object.keys(rest);
    if (extra.length) throw new PeftConfigError(`[peft] method "full" takes no options, got ${extra.join(", ")}`);
    model.requiresGrad(true);
    return model;
  }
  let peftType = rest.peft_type as string | undefined;
  if (m !== undefined) {
    const t = METHOD_TO_PEFT_TYPE[m];
    if (!t) throw new PeftConfigError(`[peft] unknown method "${method}"; use full, ${Object.keys(METHOD_TO_PEFT_TYPE).join(", ")}`);
    if (peftType !== undefined && String(peftType).toUpperCase() !== t) throw new PeftConfigError(`[peft] method "${method}" contradicts peft_type "${peftType}"`);
    peftType = t;
  }
  const dict: Record<string, unknown> = { ...rest, peft_type: peftType };
  if (m === "dora") dict.use_dora = true;
  return getPeftModel(model, parsePeftConfig(dict), opts);
}
