/**
 * (IA)³ (tuners/ia3): a learned vector rescales a frozen linear layer — its input for
 * feed-forward layers, its output otherwise. Initialised to ones, so the model starts as the
 * base. Parameter `ia3_l.<adapter>`: (1, in) for feed-forward layers, (out, 1) otherwise.
 */
import { type Tensor } from "../tensor/index.js";
import { Module } from "../nn/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { ParameterDict } from "./modules_to_save.js";
import { type TunerLayerLike, type WeightLayout } from "./targets.js";
export interface IA3Config extends PeftConfig {
    peft_type: "IA3";
    target_modules: string[] | string | null;
    exclude_modules: string[] | string | null;
    feedforward_modules: string[] | string | null;
    fan_in_fan_out: boolean;
    init_ia3_weights: boolean;
}
export declare function parseIA3Config(dict: Record<string, unknown>): IA3Config;
/** Reads a IA3 config, noting every problem on the reader. */
export declare function readIA3Config(r: ConfigReader): IA3Config;
type Forwardable = Module & {
    forward(x: Tensor): Tensor;
};
export declare class IA3Layer extends Module implements TunerLayerLike {
    readonly isFeedforward: boolean;
    readonly isTunerLayer: true;
    readonly base_layer: Forwardable;
    readonly ia3_l: ParameterDict;
    readonly inFeatures: number;
    readonly outFeatures: number;
    readonly layout: WeightLayout;
    activeAdapters: string[];
    readonly merged: Set<string>;
    disabled: boolean;
    constructor(base: Module, isFeedforward: boolean);
    get baseLayer(): Module;
    updateLayer(name: string, initOnes: boolean): void;
    vector(name: string): Tensor;
    setAdapter(names: string[], trainable: boolean): void;
    deleteAdapter(name: string): void;
    forward(x: Tensor): Tensor;
    /** W ← W·l (per input column for feed-forward layers, per output row and bias otherwise). */
    merge(names?: string[]): void;
    unmerge(): void;
    private rescale;
}
export declare function injectIA3(model: PreTrainedModel, config: IA3Config, adapterName: string): void;
/** The IA3 method as the registry holds it (src/peft/registry.ts lists it). */
export declare const IA3_METHOD: PeftMethod<IA3Config>;
export {};
