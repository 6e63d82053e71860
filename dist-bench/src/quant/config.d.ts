/**
 * `quantization_config` with Transformers' BitsAndBytesConfig names, as a user passes it to
 * fromPretrained (or the CLI's `quantization:` section) and as save_pretrained writes it
 * into config.json. Unknown keys and values bitsandbytes does not have are refused with the
 * nearest valid name.
 */
import type { QuantType4bit } from "./functional.js";
import type { ComputeDtype } from "./linear4bit.js";
export interface BitsAndBytesConfigInput {
    load_in_4bit?: boolean;
    load_in_8bit?: boolean;
    bnb_4bit_quant_type?: QuantType4bit;
    bnb_4bit_use_double_quant?: boolean;
    bnb_4bit_compute_dtype?: string;
    bnb_4bit_quant_storage?: string;
    /** Modules left in full precision; default: the task head (lm_head, score, classifier, ...). */
    llm_int8_skip_modules?: string[] | null;
    llm_int8_threshold?: number;
    llm_int8_has_fp16_weight?: boolean;
    llm_int8_enable_fp32_cpu_offload?: boolean;
    quant_method?: "bitsandbytes";
}
/** The validated config with defaults filled in. */
export interface BitsAndBytesConfig {
    load_in_4bit: boolean;
    load_in_8bit: boolean;
    bnb_4bit_quant_type: QuantType4bit;
    bnb_4bit_use_double_quant: boolean;
    bnb_4bit_compute_dtype: ComputeDtype;
    bnb_4bit_quant_storage: "uint8";
    llm_int8_skip_modules: string[] | null;
    llm_int8_threshold: number;
    llm_int8_has_fp16_weight: boolean;
    llm_int8_enable_fp32_cpu_offload: boolean;
}
export declare class QuantizationConfigError extends Error {
}
/**
 * Validates a quantization_config (Transformers' names; `where` prefixes errors, e.g. the
 * YAML section). Returns null when it asks for no quantization.
 */
export declare function parseQuantizationConfig(input: unknown, where?: string): BitsAndBytesConfig | null;
/** The dict Transformers' BitsAndBytesConfig.to_dict() writes into config.json. */
export declare function quantizationConfigToDict(c: BitsAndBytesConfig): Record<string, unknown>;
/**
 * Whether a module path is kept in full precision by a skip list, with Transformers' rule:
 * the entry names the module or one of its parents (or, as a leaf name, its last part).
 */
export declare function isSkipped(path: string, skip: string[]): boolean;
