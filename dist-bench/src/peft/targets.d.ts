/**
 * Which modules a PEFT method wraps, by PEFT's rules (tuners_utils.check_target_module_exists):
 * a string is a regex that must match the whole module path; a list matches a path exactly or
 * as its suffix after a dot; "all-linear" is every linear layer but the output head;
 * exclude_modules uses the same rules; layers_to_transform keeps only the given layer indices.
 * Default targets per model_type are PEFT's tables (utils/constants.py).
 */
import { Module } from "../nn/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type TaskType } from "./config.js";
export type WeightLayout = "out_in" | "in_out";
/** PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING, for the families tunelab has. */
export declare const LORA_TARGET_MODULES: Record<string, string[]>;
/** PEFT's TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING. */
export declare const IA3_TARGET_MODULES: Record<string, string[]>;
/** PEFT's TRANSFORMERS_MODELS_TO_IA3_FEEDFORWARD_MODULES_MAPPING. */
export declare const IA3_FEEDFORWARD_MODULES: Record<string, string[]>;
/** PEFT's SEQ_CLS_HEAD_NAMES: task heads that "all-linear" leaves alone and SEQ_CLS trains fully. */
export declare const SEQ_CLS_HEAD_NAMES: string[];
/** Marks PEFT wrapper layers: their insides are never targets themselves. */
export interface TunerLayerLike extends Module {
    readonly isTunerLayer: true;
    readonly baseLayer: Module;
}
export declare function isTunerLayer(m: Module): m is TunerLayerLike;
/**
 * The weight layout of a linear-like layer: nn.Linear (out, in), or what a module declares as
 * `weightLayout` (GPT-2's Conv1D: (in, out); a quantized linear); null for everything else.
 */
export declare function weightLayoutOf(m: Module): WeightLayout | null;
/** (in, out) features of a linear-like layer, read from its weight and layout. */
export declare function linearDims(m: Module): {
    inFeatures: number;
    outFeatures: number;
    layout: WeightLayout;
};
/** A list entry matches exactly or as the suffix after a dot; a string is a full-match regex. */
export declare function matchesModuleList(key: string, targets: string[] | string): boolean;
/** The layer index a path holds (`...layer.3.attention...` → 3) under PEFT's layers_pattern rule. */
export declare function layerIndexOf(key: string, layersPattern: string[] | string | null): number | null;
export interface TargetSpec {
    target_modules: string[] | string | null;
    exclude_modules?: string[] | string | null;
    layers_to_transform?: number[] | null;
    layers_pattern?: string[] | string | null;
    task_type?: TaskType | null;
    modules_to_save?: string[] | null;
}
/** Modules of `root` in path order, without descending into PEFT wrappers (the wrapper itself is listed). */
export declare function walkModules(root: Module, prefix?: string): Generator<[string, Module]>;
/** Full paths of every linear layer except the output head (and, for SEQ_CLS, the classifier). */
export declare function allLinearTargets(model: PreTrainedModel, taskType: TaskType | null | undefined): string[];
/** Leaf names of modules that own a weight: what an error suggests instead of a typo. */
export declare function candidateNames(model: Module): string[];
/**
 * Resolves the paths to wrap. `accept` filters modules the method can wrap (linear layers for
 * LoRA/IA3). Errors tell "nothing matched" from "everything matched was excluded", as PEFT does.
 */
export declare function resolveTargets(model: PreTrainedModel, spec: TargetSpec, opts: {
    method: string;
    defaults?: Record<string, string[]>;
    accept?: (m: Module, path: string) => boolean;
}): {
    paths: string[];
    targetModules: string[] | string;
};
/** Splits "a.b.c" into the parent module and the child name "c". */
export declare function parentOf(root: Module, path: string): {
    parent: Module;
    name: string;
};
