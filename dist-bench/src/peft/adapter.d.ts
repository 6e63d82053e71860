/**
 * Bottleneck adapters (Houlsby et al. 2019; Pfeiffer et al. 2020), which PEFT lacks: a small
 * down-project → non-linearity → up-project block added residually to the output of a sublayer's
 * output projection, before that sublayer's own residual connection and norm:
 *
 *   h = proj(x);  h' = h + adapter_up(act(adapter_down(dropout(h))))
 *
 * "houlsby" puts one after the attention output projection and one after the feed-forward output
 * projection; "pfeiffer" only after the feed-forward one. adapter_up starts at zero, so the model
 * starts as the base. Parameters: `adapter_down.<adapter>.{weight,bias}` (bottleneck, hidden),
 * `adapter_up.<adapter>.{weight,bias}` (hidden, bottleneck). File format: docs/peft-formats.md.
 */
import { type Tensor } from "../tensor/index.js";
import { Module, Linear, Dropout } from "../nn/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { ModuleDict } from "./modules_to_save.js";
import { type TunerLayerLike } from "./targets.js";
export interface BottleneckAdapterConfig extends PeftConfig {
    peft_type: "BOTTLENECK_ADAPTER";
    adapter_type: "houlsby" | "pfeiffer";
    bottleneck_size: number;
    non_linearity: string;
    adapter_dropout: number;
    /** Attention output projections (Houlsby only); null: the model_type default. */
    attn_output_modules: string[] | string | null;
    /** Feed-forward output projections; null: the model_type default. */
    ffn_output_modules: string[] | string | null;
}
/** Default placements per model_type: a list matches by dotted suffix, a string is a full-match regex. */
export declare const ADAPTER_PLACEMENTS: Record<string, {
    attn: string[] | string;
    ffn: string[] | string;
}>;
export declare function parseBottleneckAdapterConfig(dict: Record<string, unknown>): BottleneckAdapterConfig;
/** Reads a bottleneck adapter config, noting every problem on the reader. */
export declare function readBottleneckAdapterConfig(r: ConfigReader): BottleneckAdapterConfig;
type Forwardable = Module & {
    forward(x: Tensor): Tensor;
};
export declare class BottleneckAdapterLayer extends Module implements TunerLayerLike {
    readonly isTunerLayer: true;
    readonly base_layer: Forwardable;
    readonly adapter_down: ModuleDict<Linear>;
    readonly adapter_up: ModuleDict<Linear>;
    readonly adapter_dropout: ModuleDict<Dropout>;
    readonly hidden: number;
    readonly activation: Map<string, (x: Tensor) => Tensor>;
    activeAdapters: string[];
    disabled: boolean;
    constructor(base: Module);
    get baseLayer(): Module;
    updateLayer(name: string, c: BottleneckAdapterConfig): void;
    setAdapter(names: string[], trainable: boolean): void;
    deleteAdapter(name: string): void;
    forward(x: Tensor): Tensor;
}
export declare function injectBottleneckAdapter(model: PreTrainedModel, config: BottleneckAdapterConfig, adapterName: string): void;
/** The BottleneckAdapter method as the registry holds it (src/peft/registry.ts lists it). */
export declare const BOTTLENECK_ADAPTER_METHOD: PeftMethod<BottleneckAdapterConfig>;
export {};
