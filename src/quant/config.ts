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
  /** LLM.int8 activation outlier threshold (load_in_8bit; default 6.0): used in eval, as bitsandbytes on a CPU. */
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
  bnb_4bit_quant_storage: QuantStorage;
  llm_int8_skip_modules: string[] | null;
  llm_int8_threshold: number;
  llm_int8_has_fp16_weight: boolean;
  llm_int8_enable_fp32_cpu_offload: boolean;
}

/**
 * Dtypes bitsandbytes may view packed 4-bit codes as (bnb_4bit_quant_storage, e.g. for FSDP):
 * the same bytes, stored as [bytes / itemsize, 1]; Transformers accepts these.
 */
export const QUANT_STORAGES = ["uint8", "int8", "float16", "bfloat16", "float32", "float64"] as const;
export type QuantStorage = (typeof QUANT_STORAGES)[number];

const KEYS = [
  "load_in_4bit", "load_in_8bit", "bnb_4bit_quant_type", "bnb_4bit_use_double_quant", "bnb_4bit_compute_dtype",
  "bnb_4bit_quant_storage", "llm_int8_skip_modules", "llm_int8_threshold", "llm_int8_has_fp16_weight",
  "llm_int8_enable_fp32_cpu_offload", "quant_method",
];
/** Written by Transformers' to_dict; read back as their public twins. */
const PRIVATE_KEYS = ["_load_in_4bit", "_load_in_8bit"];

export class QuantizationConfigError extends Error {}

function nearest(key: string, options: string[]): string {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0];
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const tmp = d[j];
        d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = tmp;
      }
    }
    return d[b.length];
  };
  return options.reduce((best, o) => (dist(key, o) < dist(key, best) ? o : best), options[0]);
}

function parseComputeDtype(v: unknown): ComputeDtype {
  const s = String(v).replace(/^torch\./, "");
  if (s === "float32" || s === "float" || s === "fp32") return "float32";
  if (s === "bfloat16" || s === "bf16") return "bfloat16";
  if (s === "float16" || s === "fp16" || s === "half") {
    throw new QuantizationConfigError("[quantization_config] bnb_4bit_compute_dtype float16 is not supported on the CPU engine; use bfloat16 (same memory, wider range) or float32");
  }
  throw new QuantizationConfigError(`[quantization_config] bnb_4bit_compute_dtype must be float32 or bfloat16, got ${JSON.stringify(v)}`);
}

/**
 * Validates a quantization_config (Transformers' names; `where` prefixes errors, e.g. the
 * YAML section). Returns null when it asks for no quantization.
 */
export function parseQuantizationConfig(input: unknown, where = "quantization_config"): BitsAndBytesConfig | null {
  if (input === undefined || input === null) return null;
  if (typeof input !== "object" || Array.isArray(input)) throw new QuantizationConfigError(`[${where}] must be an object of BitsAndBytesConfig keys, got ${JSON.stringify(input)}`);
  const d = input as Record<string, unknown>;
  for (const k of Object.keys(d)) {
    if (!KEYS.includes(k) && !PRIVATE_KEYS.includes(k)) throw new QuantizationConfigError(`[${where}] unknown key "${k}"; did you mean "${nearest(k, KEYS)}"? (BitsAndBytesConfig keys: ${KEYS.join(", ")})`);
  }
  const bool = (k: string, dflt: boolean): boolean => {
    const v = d[k] ?? d[`_${k}`];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== "boolean") throw new QuantizationConfigError(`[${where}] ${k} must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  if (d.quant_method !== undefined && d.quant_method !== "bitsandbytes") {
    throw new QuantizationConfigError(`[${where}] quant_method "${String(d.quant_method)}" is not supported; tunelab reads bitsandbytes checkpoints (quant_method: bitsandbytes)`);
  }
  const load_in_4bit = bool("load_in_4bit", false);
  const load_in_8bit = bool("load_in_8bit", false);
  if (load_in_4bit && load_in_8bit) throw new QuantizationConfigError(`[${where}] load_in_4bit and load_in_8bit are both true; choose one`);
  const quantType = d.bnb_4bit_quant_type ?? "fp4";
  if (quantType !== "nf4" && quantType !== "fp4") throw new QuantizationConfigError(`[${where}] bnb_4bit_quant_type must be "nf4" or "fp4", got ${JSON.stringify(quantType)}`);
  const storage = String(d.bnb_4bit_quant_storage ?? "uint8").replace(/^torch\./, "");
  if (!(QUANT_STORAGES as readonly string[]).includes(storage)) {
    throw new QuantizationConfigError(`[${where}] bnb_4bit_quant_storage ${JSON.stringify(d.bnb_4bit_quant_storage)} is not a dtype bitsandbytes packs 4-bit codes into; use one of ${QUANT_STORAGES.join(", ")} (default uint8)`);
  }
  const skip = d.llm_int8_skip_modules;
  if (skip !== undefined && skip !== null && (!Array.isArray(skip) || skip.some((s) => typeof s !== "string"))) {
    throw new QuantizationConfigError(`[${where}] llm_int8_skip_modules must be a list of module names, got ${JSON.stringify(skip)}`);
  }
  const threshold = d.llm_int8_threshold ?? 6.0;
  if (typeof threshold !== "number" || !(threshold >= 0)) throw new QuantizationConfigError(`[${where}] llm_int8_threshold must be a non-negative number, got ${JSON.stringify(threshold)}`);
  if (!load_in_4bit && !load_in_8bit) return null;
  if (load_in_8bit && bool("llm_int8_has_fp16_weight", false)) {
    throw new QuantizationConfigError(`[${where}] llm_int8_has_fp16_weight: true (trainable float16 weights behind an int8 matmul) is not supported; tunelab's 8-bit weights are frozen — remove the key, and train adapters on top (method: qlora)`);
  }
  return {
    load_in_4bit,
    load_in_8bit,
    bnb_4bit_quant_type: quantType,
    bnb_4bit_use_double_quant: bool("bnb_4bit_use_double_quant", false),
    bnb_4bit_compute_dtype: parseComputeDtype(d.bnb_4bit_compute_dtype ?? "float32"),
    bnb_4bit_quant_storage: storage as QuantStorage,
    llm_int8_skip_modules: (skip as string[] | null | undefined) ?? null,
    llm_int8_threshold: threshold,
    llm_int8_has_fp16_weight: bool("llm_int8_has_fp16_weight", false),
    llm_int8_enable_fp32_cpu_offload: bool("llm_int8_enable_fp32_cpu_offload", false),
  };
}

/** The dict Transformers' BitsAndBytesConfig.to_dict() writes into config.json. */
export function quantizationConfigToDict(c: BitsAndBytesConfig): Record<string, unknown> {
  return {
    _load_in_4bit: c.load_in_4bit,
    _load_in_8bit: c.load_in_8bit,
    bnb_4bit_compute_dtype: c.bnb_4bit_compute_dtype,
    bnb_4bit_quant_storage: c.bnb_4bit_quant_storage,
    bnb_4bit_quant_type: c.bnb_4bit_quant_type,
    bnb_4bit_use_double_quant: c.bnb_4bit_use_double_quant,
    llm_int8_enable_fp32_cpu_offload: c.llm_int8_enable_fp32_cpu_offload,
    llm_int8_has_fp16_weight: c.llm_int8_has_fp16_weight,
    llm_int8_skip_modules: c.llm_int8_skip_modules,
    llm_int8_threshold: c.llm_int8_threshold,
    load_in_4bit: c.load_in_4bit,
    load_in_8bit: c.load_in_8bit,
    quant_method: "bitsandbytes",
  };
}

/**
 * Whether a module path is kept in full precision by a skip list, with Transformers' rule:
 * the entry names the module or one of its parents (or, as a leaf name, its last part).
 */
export function isSkipped(path: string, skip: string[]): boolean {
  return skip.some((key) => path === key || path.startsWith(key + ".") || path.endsWith("." + key) || path.includes("." + key + "."));
}
