/**
 * Linear4bit: bitsandbytes' frozen 4-bit linear layer. The weight (out, in) is stored as
 * packed NF4/FP4 codes plus block scales and is never materialised in full precision: the
 * GEMM decodes blocks into its packed panels (native gemm4bit), in forward and in the
 * backward product that gives the input gradient. There is no weight gradient.
 *
 * Its buffers are exactly the keys bitsandbytes serializes (`weight`, `weight.absmax`,
 * `weight.quant_map`, `weight.nested_absmax`, `weight.nested_quant_map`,
 * `weight.quant_state.bitsandbytes__nf4`), so savePretrained writes a checkpoint that
 * Transformers loads as a 4-bit model.
 *
 * compute_dtype bfloat16 emulates bitsandbytes' bf16 compute on a CPU: the input, the
 * decoded weight and the output are rounded to bfloat16 (sums accumulate in float32).
 */
import { Tensor } from "../tensor/index.js";
import { Module, Linear } from "../nn/index.js";
import { QuantState } from "./functional.js";
export type ComputeDtype = "float32" | "bfloat16";
export interface Linear4bitOptions {
    compute_dtype?: ComputeDtype;
}
export declare class Linear4bit extends Module {
    readonly inFeatures: number;
    readonly outFeatures: number;
    /** PEFT reads the layout and sizes from these (peft/targets.ts). */
    readonly weightLayout: "out_in";
    bias: Tensor | null;
    computeDtype: ComputeDtype;
    private packedCodes;
    private quant;
    constructor(inFeatures: number, outFeatures: number, packed: Uint8Array, state: QuantState, bias: Tensor | null, opts?: Linear4bitOptions);
    get quantState(): QuantState;
    get packed(): Uint8Array;
    /** Replaces the quantized weight (a re-quantized merge, or a loaded checkpoint). */
    setQuantized(packed: Uint8Array, state: QuantState): void;
    private stateBufferNames;
    private clearStateBuffers;
    /** Buffers under bitsandbytes' key names, sharing memory with the packed codes and scales. */
    private registerStateBuffers;
    /** The operand the fused GEMM reads. */
    operand(): import("../tensor/native.js").Quant4Operand;
    forward(x: Tensor): Tensor;
    /** Quantizes `w` (out, in) with this layer's settings and makes it the layer's weight (a merge). */
    requantize(w: Tensor): void;
    /** An nn.Linear holding the dequantized weight in `dtype` (bias shared): a merged model in full precision. */
    toLinear(dtype?: "float32" | "bfloat16"): Linear;
    /** The weight (out, in) in float32, dequantized: for merging and DoRA, never for forward. */
    dequantizedWeight(): Tensor;
    /** Bytes the weight occupies: packed codes plus (possibly double-quantized) scales. */
    get weightBytes(): number;
}
