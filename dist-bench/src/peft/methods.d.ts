/**
 * A training method by name, as the YAML and the CLI say it (`method: lora` or `dora` plus the
 * method's PEFT keys): its config checked, applied to a model, or a saved adapter loaded back
 * with the same preparation of the base. `full` is not here: it wraps nothing (the Trainer's).
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type MethodChoice, type MethodRegistry } from "./registry.js";
import { PeftModel, type PeftModelOptions } from "./peft_model.js";
/** `method` (a name) and/or `peft_type`, plus the method's PEFT keys. */
export type MethodSpec = {
    method?: string;
    peft_type?: string;
} & Record<string, unknown>;
/** The method a spec selects and the PEFT config dict it stands for (a variant's presets applied). */
export declare function methodConfigDict(spec: MethodSpec, registry?: MethodRegistry): {
    choice: MethodChoice;
    dict: Record<string, unknown>;
};
/** Every problem with a method name and its keys (empty when valid). */
export declare function methodProblems(spec: MethodSpec, registry?: MethodRegistry): string[];
/** Wraps `model` with a new adapter of the method `spec` names (a variant prepares the base first). */
export declare function applyMethod(model: PreTrainedModel, spec: MethodSpec, opts?: PeftModelOptions): PeftModel;
/**
 * Loads the adapter saved in `dir` onto `base` for evaluation or prediction (frozen unless
 * is_trainable); `method` names the variant it was trained with when that variant prepares the
 * base (qlora), since adapter_config.json records only the peft_type.
 */
export declare function loadAdapterFor(base: PreTrainedModel, dir: string, opts?: {
    method?: string;
    is_trainable?: boolean;
} & PeftModelOptions): PeftModel;
