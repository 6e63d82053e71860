/**
 * BitFit (Ben Zaken et al. 2022), which PEFT lacks: only the bias terms train (plus the task head,
 * through modules_to_save as in every method). Nothing is wrapped: the biases are the base
 * model's own, trained in place, and saved as `base_model.model.<path>.bias`. So there is nothing
 * to merge, and running "with the adapter disabled" is not possible — keep the base checkpoint.
 * `target_modules` (PEFT's matching rules) may narrow which modules' biases train.
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader } from "./config.js";
import type { PeftMethod } from "./registry.js";
export interface BitFitConfig extends PeftConfig {
    peft_type: "BITFIT";
    /** Modules whose bias trains; null: every bias. */
    target_modules: string[] | string | null;
    exclude_modules: string[] | string | null;
}
export declare function parseBitFitConfig(dict: Record<string, unknown>): BitFitConfig;
/** Reads a BITFIT config, noting every problem on the reader. */
export declare function readBitFitConfig(r: ConfigReader): BitFitConfig;
/** Paths (relative to the base model) of the bias tensors BitFit trains. */
export declare function bitfitParameters(model: PreTrainedModel, config: BitFitConfig): string[];
/** The BitFit method as the registry holds it (src/peft/registry.ts lists it). */
export declare const BITFIT_METHOD: PeftMethod<BitFitConfig>;
