/**
 * parsePeftConfig: a plain dict of PEFT's keys (adapter_config.json, a YAML `peft:` section) →
 * the method's typed config, dispatched on peft_type. Importing this file registers every method.
 */
import { type PeftConfig, PeftConfigError, getPeftMethod, registeredPeftTypes } from "./config.js";
import "./lora/model.js";
import "./ia3.js";
import "./adapter.js";
import "./bitfit.js";
import "./prompt_tuning.js";
import "./prefix_tuning.js";

export function parsePeftConfig(dict: Record<string, unknown>): PeftConfig {
  if (dict === null || typeof dict !== "object" || Array.isArray(dict)) {
    throw new PeftConfigError(`[peft] a PEFT config must be an object, got ${JSON.stringify(dict)}`);
  }
  const type = dict.peft_type;
  if (typeof type !== "string") {
    throw new PeftConfigError(`[peft] the config has no peft_type; set one of ${registeredPeftTypes().join(", ")}`);
  }
  return getPeftMethod(type.toUpperCase()).parseConfig({ ...dict, peft_type: type.toUpperCase() });
}
