/**
 * parsePeftConfig: a plain dict of PEFT's keys (adapter_config.json, a YAML `peft:` section) →
 * the method's typed config, dispatched on peft_type. Every problem is found in one pass
 * (unknown keys with the nearest valid name, bad types and values): peftConfigProblems lists
 * them for a caller that reports all of a config's problems at once (the CLI), parsePeftConfig
 * throws one PeftConfigError holding them all. Importing this file registers every method.
 */
import { type PeftConfig } from "./config.js";
import "./lora/model.js";
import "./ia3.js";
import "./adapter.js";
import "./bitfit.js";
import "./prompt_tuning.js";
import "./prefix_tuning.js";
/** Every problem with a PEFT config dict (empty when it is valid). */
export declare function peftConfigProblems(dict: Record<string, unknown>): string[];
export declare function parsePeftConfig(dict: Record<string, unknown>): PeftConfig;
