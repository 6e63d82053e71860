/**
 * LoraConfig: PEFT's LoraConfig keys and defaults (tuners/lora/config.py) for plain LoRA,
 * rsLoRA and DoRA. Keys PEFT writes for variants tunelab does not implement (loftq_config,
 * megatron_config, layer_replication, ...) are accepted at their neutral values, so an
 * adapter_config.json written by PEFT parses; a non-neutral value is refused by name.
 */
import { type PeftConfig, type ConfigReader } from "../config.js";
export type InitLoraWeights = boolean | "gaussian";
export interface LoraConfig extends PeftConfig {
    peft_type: "LORA";
    r: number;
    lora_alpha: number;
    lora_dropout: number;
    target_modules: string[] | string | null;
    exclude_modules: string[] | string | null;
    bias: "none" | "all" | "lora_only";
    fan_in_fan_out: boolean;
    use_rslora: boolean;
    use_dora: boolean;
    init_lora_weights: InitLoraWeights;
    layers_to_transform: number[] | null;
    layers_pattern: string[] | string | null;
    rank_pattern: Record<string, number>;
    alpha_pattern: Record<string, number>;
}
export declare function parseLoraConfig(dict: Record<string, unknown>): LoraConfig;
/** Reads a LoRA config, noting every problem on the reader. */
export declare function readLoraConfig(r: ConfigReader): LoraConfig;
/**
 * The pattern entry that applies to a module path (PEFT's get_pattern_key): an exact key, else
 * the first key that matches the end of the path after a dot, as a regex.
 */
export declare function patternValue(pattern: Record<string, number>, path: string, dflt: number): number;
/** lora_alpha / r, or lora_alpha / sqrt(r) with use_rslora. */
export declare function loraScaling(alpha: number, r: number, useRslora: boolean): number;
