/**
 * Parameter-efficient fine-tuning in PEFT's own configs and files: LoRA (+ rsLoRA, DoRA), IA3,
 * prompt tuning, prefix tuning, and two methods PEFT lacks — bottleneck adapters and BitFit
 * (formats in docs/peft-formats.md). `peftMethods` is the registry of methods (names, variants,
 * config readers, injectors); `applyMethod` wraps a model by method name.
 */
export {
  type PeftConfig, type TaskType, type InjectOptions, type PromptEncoderHooks, ConfigReader, PeftConfigError, readConfig, parseOrThrow, configToJson,
} from "./config.js";
export {
  type PeftMethod, type MethodVariant, type MethodChoice, type MethodInfo, MethodRegistry, peftMethods, parsePeftConfig, peftConfigProblems,
} from "./registry.js";
export { type MethodSpec, applyMethod, loadAdapterFor, methodConfigDict, methodProblems } from "./methods.js";
export { PeftModel, TunerModel, getPeftModel, type PeftModelOptions } from "./peft_model.js";
export { type LoraConfig, readLoraConfig, loraScaling } from "./lora/config.js";
export { LoraLayer } from "./lora/layer.js";
export { type IA3Config, IA3Layer } from "./ia3.js";
export { type BottleneckAdapterConfig, BottleneckAdapterLayer, ADAPTER_PLACEMENTS } from "./adapter.js";
export { type BitFitConfig } from "./bitfit.js";
export { type PromptTuningConfig, PromptEmbedding } from "./prompt_tuning.js";
export { type PrefixTuningConfig, PrefixEncoder, PREFIX_TUNING_MODEL_TYPES } from "./prefix_tuning.js";
export { ModulesToSaveWrapper, ModuleDict, ParameterDict } from "./modules_to_save.js";
export {
  LORA_TARGET_MODULES, IA3_TARGET_MODULES, IA3_FEEDFORWARD_MODULES, SEQ_CLS_HEAD_NAMES, resolveTargets, matchesModuleList, weightLayoutOf,
} from "./targets.js";
export { CONFIG_NAME, SAFETENSORS_WEIGHTS_NAME, fileKeyOf } from "./save_and_load.js";
