/**
 * A training method by name, as the YAML and the CLI say it (`method: lora` or `dora` plus the
 * method's PEFT keys): its config checked, applied to a model, or a saved adapter loaded back
 * with the same preparation of the base. `full` is not here: it wraps nothing (the Trainer's).
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type PeftConfig, PeftConfigError } from "./config.js";
import { type MethodChoice, type MethodRegistry, peftMethods, parsePeftConfig } from "./registry.js";
import { PeftModel, type PeftModelOptions } from "./peft_model.js";
import { readAdapterConfig } from "./save_and_load.js";

/** `method` (a name) and/or `peft_type`, plus the method's PEFT keys. */
export type MethodSpec = { method?: string; peft_type?: string } & Record<string, unknown>;

/** The method a spec selects and the PEFT config dict it stands for (a variant's presets applied). */
export function methodConfigDict(spec: MethodSpec, registry: MethodRegistry = peftMethods): { choice: MethodChoice; dict: Record<string, unknown> } {
  const { method, ...rest } = spec;
  if (method === undefined && rest.peft_type === undefined) {
    throw new PeftConfigError(`[peft] say which method to use: method: ${registry.names().join(" | ")}`);
  }
  if (method?.toLowerCase() === "full") {
    throw new PeftConfigError('[peft] "full" fine-tuning wraps nothing: train the model itself (the Trainer\'s method: full)');
  }
  const choice = registry.choose(method ?? registry.get(String(rest.peft_type).toUpperCase()).name);
  const given = rest.peft_type;
  if (given !== undefined && String(given).toUpperCase() !== choice.method.peft_type) {
    throw new PeftConfigError(`[peft] method "${method}" contradicts peft_type "${String(given)}"`);
  }
  return { choice, dict: { ...rest, ...choice.variant?.presets, peft_type: choice.method.peft_type } };
}

/** Every problem with a method name and its keys (empty when valid). */
export function methodProblems(spec: MethodSpec, registry: MethodRegistry = peftMethods): string[] {
  let dict: Record<string, unknown>;
  try {
    ({ dict } = methodConfigDict(spec, registry));
  } catch (err) {
    if (err instanceof PeftConfigError) return [err.message];
    throw err;
  }
  return registry.check(dict).problems;
}

/** Wraps `model` with a new adapter of the method `spec` names (a variant prepares the base first). */
export function applyMethod(model: PreTrainedModel, spec: MethodSpec, opts: PeftModelOptions = {}): PeftModel {
  const { choice, dict } = methodConfigDict(spec);
  const config = parsePeftConfig(dict);
  choice.variant?.prepareBase?.(model, config);
  return new PeftModel(model, config, opts);
}

/**
 * Loads the adapter saved in `dir` onto `base` for evaluation or prediction (frozen unless
 * is_trainable); `method` names the variant it was trained with when that variant prepares the
 * base (qlora), since adapter_config.json records only the peft_type.
 */
export function loadAdapterFor(base: PreTrainedModel, dir: string, opts: { method?: string; is_trainable?: boolean } & PeftModelOptions = {}): PeftModel {
  const { method, ...rest } = opts;
  if (method !== undefined && method.toLowerCase() !== "full") {
    const choice = peftMethods.choose(method);
    if (choice.variant?.prepareBase) {
      const config: PeftConfig = parsePeftConfig(readAdapterConfig(dir));
      choice.variant.prepareBase(base, config);
    }
  }
  return PeftModel.fromPretrained(base, dir, rest);
}
