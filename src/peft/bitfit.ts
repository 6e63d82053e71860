/**
 * BitFit (Ben Zaken et al. 2022), which PEFT lacks: only the bias terms train (plus the task head,
 * through modules_to_save as in every method). Nothing is wrapped: the biases are the base
 * model's own, trained in place, and saved as `base_model.model.<path>.bias`. So there is nothing
 * to merge, and running "with the adapter disabled" is not possible — keep the base checkpoint.
 * `target_modules` (PEFT's matching rules) may narrow which modules' biases train.
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader, PeftConfigError, parseOrThrow } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { matchesModuleList } from "./targets.js";

export interface BitFitConfig extends PeftConfig {
  peft_type: "BITFIT";
  /** Modules whose bias trains; null: every bias. */
  target_modules: string[] | string | null;
  exclude_modules: string[] | string | null;
}

/** Reads a BITFIT config, noting every problem on the reader. */
export function readBitFitConfig(r: ConfigReader): BitFitConfig {
  const dict = r.dict;
  const base = r.base("BITFIT", ["target_modules", "exclude_modules"]);
  return { ...base, peft_type: "BITFIT", target_modules: r.targets("target_modules"), exclude_modules: r.targets("exclude_modules") };
}

/** Paths (relative to the base model) of the bias tensors BitFit trains. */
export function bitfitParameters(model: PreTrainedModel, config: BitFitConfig): string[] {
  const out: string[] = [];
  for (const [path, t] of model.namedParameters()) {
    if (!(path === "bias" || path.endsWith(".bias")) || t.dtype !== "float32") continue;
    if (path.includes(".modules_to_save.") || path.includes(".original_module.")) continue;
    const owner = path.slice(0, Math.max(0, path.length - ".bias".length)).replace(/\.base_layer$/, "");
    if (config.target_modules !== null && !matchesModuleList(owner, config.target_modules)) continue;
    if (config.exclude_modules && matchesModuleList(owner, config.exclude_modules)) continue;
    out.push(path);
  }
  if (out.length === 0) {
    throw new PeftConfigError(
      `[peft] BitFit: no bias to train in ${model.constructor.name}${config.target_modules ? ` under target_modules ${JSON.stringify(config.target_modules)}` : ""} (models without biases, like Llama, cannot use BitFit; use LoRA or IA3)`,
    );
  }
  return out;
}

/** The BitFit method as the registry holds it (src/peft/registry.ts lists it). */
export const BITFIT_METHOD: PeftMethod<BitFitConfig> = {
  peft_type: "BITFIT",
  name: "bitfit",
  summary: "BitFit: only the bias terms train",
  prefix: null, // no parameter of its own: everything it trains is listed by extraSavedParameters
  readConfig: readBitFitConfig,
  inject: (model, config) => void bitfitParameters(model, config),
  extraSavedParameters: (model, config) => bitfitParameters(model, config),
};
