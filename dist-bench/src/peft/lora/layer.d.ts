/**
 * LoraLayer: a frozen linear layer (nn.Linear, GPT-2's Conv1D, or any layer with a declared
 * `weightLayout`, e.g. a frozen 4-bit one) plus named low-rank adapters. The only thing it asks
 * of the base is `forward(x)` — and its weight for merging and DoRA — so a quantized base slots in.
 *
 *   y = base(x) + lora_B(lora_A(dropout(x))) · scaling          (two skinny products: (N, r), (N, out))
 *   DoRA: y = base(x) + (m/‖W + s·BA‖ − 1) · x Wᵀ + m/‖W + s·BA‖ · s · B A x
 *
 * Parameter paths are PEFT's: `base_layer.weight`, `lora_A.<adapter>.weight` (r, in),
 * `lora_B.<adapter>.weight` (out, r), `lora_magnitude_vector.<adapter>.weight` (out).
 */
import { type Tensor } from "../../tensor/index.js";
import { Module, Linear, Dropout } from "../../nn/index.js";
import { ModuleDict, ParameterHolder } from "../modules_to_save.js";
import { type TunerLayerLike, type WeightLayout } from "../targets.js";
import type { InitLoraWeights } from "./config.js";
export interface LoraAdapterOptions {
    r: number;
    alpha: number;
    dropout: number;
    init: InitLoraWeights;
    useRslora: boolean;
    useDora: boolean;
}
type Forwardable = Module & {
    forward(x: Tensor): Tensor;
};
export declare class LoraLayer extends Module implements TunerLayerLike {
    readonly isTunerLayer: true;
    readonly base_layer: Forwardable;
    readonly lora_dropout: ModuleDict<Dropout>;
    readonly lora_A: ModuleDict<Linear>;
    readonly lora_B: ModuleDict<Linear>;
    readonly lora_magnitude_vector: ModuleDict<ParameterHolder>;
    readonly inFeatures: number;
    readonly outFeatures: number;
    readonly layout: WeightLayout;
    readonly r: Map<string, number>;
    readonly loraAlpha: Map<string, number>;
    readonly scaling: Map<string, number>;
    readonly useDora: Map<string, boolean>;
    activeAdapters: string[];
    /** Adapters currently folded into the base weight (with the norm DoRA merged with). */
    readonly merged: Map<string, Float32Array<ArrayBufferLike> | null>;
    disabled: boolean;
    private rowSqCache;
    constructor(base: Module);
    get baseLayer(): Module;
    /** Adds (or re-creates) adapter `name` (PEFT's update_layer). */
    updateLayer(name: string, o: LoraAdapterOptions): void;
    /** Which adapters run, and whether they train. */
    setAdapter(names: string[], trainable: boolean): void;
    deleteAdapter(name: string): void;
    forward(x: Tensor): Tensor;
    /**
     * The base weight in its stored layout. A quantized base declares `dequantizedWeight()` (its
     * forward is all LoRA otherwise calls), so DoRA's norm sees the weight the layer computes with.
     */
    baseWeight(): Tensor;
    /** Σ_j W_ij² per output row: the frozen weight's part of DoRA's norm, computed once per weight state. */
    private rowSquares;
    /**
     * Runs fn on the base weight as float32, in place. A 4-bit base is dequantized, changed and
     * quantized again with its own settings, as PEFT merges into bitsandbytes layers (so a merge
     * followed by an unmerge is exact only up to 4-bit rounding).
     */
    private updateBaseWeight;
    private floatWeight;
    /** ΔW = s · B A in the base weight's layout ((out, in), or (in, out) for Conv1D: transposed). */
    getDeltaWeight(name: string): Tensor;
    /**
     * Row norms ‖W + s·B A‖ over the input dim (one per output), as
     * ‖W_i‖² + 2s·B_i·(W Aᵀ)_i + s²·B_i (A Aᵀ) B_iᵀ: only (out, r) and (r, r) products.
     */
    weightNorm(name: string): Float32Array;
    /** Folds adapters into the base weight (all active ones by default). */
    merge(names?: string[]): void;
    /** Undoes merge() for every merged adapter, most recent first. */
    unmerge(): void;
    /** Calls fn(outputRow, flatIndex) for every weight element, whatever the layout. */
    private forEachRow;
}
export {};
