/**
 * LoraConfig: PEFT's LoraConfig keys and defaults (tuners/lora/config.py) for plain LoRA,
 * rsLoRA and DoRA. Keys PEFT writes for variants tunelab does not implement (loftq_config,
 * megatron_config, layer_replication, ...) are accepted at their neutral values, so an
 * adapter_config.json written by PEFT parses; a non-neutral value is refused by name.
 */
import { type PeftConfig, type ConfigReader, PeftConfigError, parseOrThrow } from "../config.js";

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

const OWN_KEYS = [
  "r", "lora_alpha", "lora_dropout", "target_modules", "exclude_modules", "bias", "fan_in_fan_out", "use_rslora", "use_dora",
  "init_lora_weights", "layers_to_transform", "layers_pattern", "rank_pattern", "alpha_pattern",
] as const;

/** Keys PEFT writes whose features tunelab lacks; accepted only at these neutral values. */
const NEUTRAL: Record<string, (v: unknown) => boolean> = {
  lora_bias: (v) => v === false || v == null,
  loftq_config: (v) => v == null || (typeof v === "object" && Object.keys(v as object).length === 0),
  megatron_config: (v) => v == null,
  megatron_core: () => true,
  layer_replication: (v) => v == null,
  eva_config: (v) => v == null,
  corda_config: (v) => v == null,
  runtime_config: () => true,
  trainable_token_indices: (v) => v == null,
  qalora_group_size: () => true,
  use_qalora: (v) => v === false || v == null,
  alora_invocation_tokens: (v) => v == null,
  arrow_config: (v) => v == null,
  ensure_weight_tying: (v) => v === false || v == null,
  target_parameters: (v) => v == null || (Array.isArray(v) && v.length === 0),
  lora_ga_config: (v) => v == null,
};

/** Reads a LoRA config, noting every problem on the reader. */
export function readLoraConfig(r: ConfigReader): LoraConfig {
  const dict = r.dict;
  const base = r.base("LORA", OWN_KEYS, Object.keys(NEUTRAL));
  for (const [k, ok] of Object.entries(NEUTRAL)) {
    if (k in dict && !ok(dict[k])) {
      r.problem(`[peft] LoRA: ${k} = ${JSON.stringify(dict[k])} is not supported by tunelab; remove it or set it to its default`);
    }
  }
  let init = dict.init_lora_weights ?? true;
  if (init !== true && init !== false && init !== "gaussian") {
    r.problem(
      `[peft] LoRA: init_lora_weights must be true, false or "gaussian", got ${JSON.stringify(init)} (PiSSA/OLoRA/LoftQ/EVA initialisations are not supported)`,
    );
    init = true;
  }
  const targets = r.targets("target_modules");
  const layersToTransform = r.intList("layers_to_transform");
  const layersPattern = r.targets("layers_pattern");
  if (typeof targets === "string" && targets.toLowerCase() !== "all-linear" && (layersToTransform || layersPattern)) {
    r.problem("[peft] LoRA: layers_to_transform and layers_pattern cannot be used when target_modules is a regex string");
  }
  const cfg: LoraConfig = {
    ...base,
    peft_type: "LORA",
    r: r.number("r", 8, (x) => Number.isInteger(x) && x > 0, "a positive integer"),
    lora_alpha: r.number("lora_alpha", 8),
    lora_dropout: r.number("lora_dropout", 0, (x) => x >= 0 && x < 1, "in [0, 1)"),
    target_modules: targets,
    exclude_modules: r.targets("exclude_modules"),
    bias: r.oneOf("bias", ["none", "all", "lora_only"] as const, "none"),
    fan_in_fan_out: r.bool("fan_in_fan_out", false),
    use_rslora: r.bool("use_rslora", false),
    use_dora: r.bool("use_dora", false),
    init_lora_weights: init as InitLoraWeights,
    layers_to_transform: layersToTransform,
    layers_pattern: layersPattern,
    rank_pattern: r.numberMap("rank_pattern"),
    alpha_pattern: r.numberMap("alpha_pattern"),
  };
  // Keep PEFT's neutral keys so a saved config round-trips what PEFT wrote.
  for (const k of Object.keys(NEUTRAL)) if (k in dict) cfg[k] = dict[k];
  return cfg;
}

/**
 * The pattern entry that applies to a module path (PEFT's get_pattern_key): an exact key, else
 * the first key that matches the end of the path after a dot, as a regex.
 */
export function patternValue(pattern: Record<string, number>, path: string, dflt: number): number {
  if (path in pattern) return pattern[path];
  for (const [k, v] of Object.entries(pattern)) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:.*\\.)?(?:${k})$`);
    } catch {
      throw new PeftConfigError(`[peft] LoRA: rank_pattern/alpha_pattern key "${k}" is not a valid regex`);
    }
    if (re.test(path)) return v;
  }
  return dflt;
}

/** lora_alpha / r, or lora_alpha / sqrt(r) with use_rslora. */
export function loraScaling(alpha: number, r: number, useRslora: boolean): number {
  return useRslora ? alpha / Math.sqrt(r) : alpha / r;
}
