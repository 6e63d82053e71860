/**
 * bitsandbytes' functional API for blockwise quantization, bit-compatible with it:
 * quantize4bit / dequantize4bit (NF4, FP4; optional double quantization of the block
 * scales, "compress_statistics"), and 8-bit blockwise quantization with the signed dynamic
 * map. A QuantState holds what bitsandbytes' QuantState holds, under the same names, and
 * converts to and from the keys bitsandbytes writes into a saved checkpoint.
 */
import { Tensor } from "../tensor/index.js";
import type { Quant4Operand } from "../tensor/native.js";
export type QuantType4bit = "nf4" | "fp4";
/** Source dtypes the quantizer reads, with native/kernels.h's DType codes. */
export type FloatSource = {
    data: Float32Array | Uint16Array;
    dtype: "float32" | "bfloat16" | "float16";
};
/** bitsandbytes' block sizes for 4-bit quantization. */
export declare const BLOCKSIZES_4BIT: number[];
/** Block size of the second level of double quantization (bitsandbytes hard-codes 256). */
export declare const NESTED_BLOCKSIZE = 256;
export interface Quantize4bitOptions {
    /** Default "fp4", as bitsandbytes.functional.quantize_4bit. */
    quant_type?: QuantType4bit;
    /** Default 64. */
    blocksize?: number;
    /** Double quantization of the absmax values (bnb_4bit_use_double_quant). Default false. */
    compress_statistics?: boolean;
}
/** Second-level state of double quantization: 8-bit codes of (absmax - offset). */
export interface NestedState {
    absmax: Float32Array;
    code: Float32Array;
    blocksize: number;
    dtype: "float32";
}
/** bitsandbytes' QuantState for a 4-bit tensor. */
export declare class QuantState {
    readonly quant_type: QuantType4bit;
    readonly blocksize: number;
    readonly shape: number[];
    /** The dtype of the tensor that was quantized (what dequantization returns in bnb). */
    readonly dtype: "float32" | "bfloat16" | "float16";
    /** float32 block scales, or their 8-bit codes when nested. */
    readonly absmax: Float32Array | Uint8Array;
    /** The 16 code values (quant_map). */
    readonly code: Float32Array;
    readonly offset: number | null;
    readonly state2: NestedState | null;
    constructor(quant_type: QuantType4bit, blocksize: number, shape: number[], 
    /** The dtype of the tensor that was quantized (what dequantization returns in bnb). */
    dtype: "float32" | "bfloat16" | "float16", 
    /** float32 block scales, or their 8-bit codes when nested. */
    absmax: Float32Array | Uint8Array, 
    /** The 16 code values (quant_map). */
    code: Float32Array, offset?: number | null, state2?: NestedState | null);
    get nested(): boolean;
    get numel(): number;
    /** Bytes held: packed codes plus scales (what a 4-bit weight costs in memory). */
    get stateBytes(): number;
    /** The operand descriptor gemm4bit and the decoder read. */
    operand(packed: Uint8Array, roundBf16?: boolean): Quant4Operand;
}
/** The 16 values of a 4-bit code (bitsandbytes' get_4bit_type). */
export declare function code4bit(quantType: QuantType4bit): Float32Array;
/** bitsandbytes' create_dynamic_map(signed=True): 256 sorted values in [-0.993, 1]. */
export declare function dynamicMap(): Float32Array;
/** 8-bit blockwise quantization (bitsandbytes' quantize_blockwise) with a sorted 256-entry code. */
export declare function quantizeBlockwise(x: Float32Array, opts?: {
    code?: Float32Array;
    blocksize?: number;
}): {
    q: Uint8Array;
    absmax: Float32Array;
};
/** out = code[q] * absmax[block] + offset (bitsandbytes' dequantize_blockwise, plus the nested offset). */
export declare function dequantizeBlockwise(q: Uint8Array, absmax: Float32Array, opts?: {
    code?: Float32Array;
    blocksize?: number;
    offset?: number;
}): Float32Array;
/**
 * Sum of float32 values in exactly the order torch's CPU sum kernel uses for a contiguous
 * float32 vector on an AVX2 machine (8-lane vectors; 4 accumulators with up to 4 cascade
 * levels, SumKernel.cpp), so the double-quantization offset (absmax.mean()) is bit-identical
 * to bitsandbytes'. Shorter than one vector: 4 scalar accumulators.
 */
export declare function torchSumF32(a: Float32Array): number;
/** Quantizes raw float values of `shape` (the loader's entry point: bf16/f16 bytes need no float32 copy). */
export declare function quantize4bitRaw(src: FloatSource, shape: number[], opts?: Quantize4bitOptions): {
    packed: Uint8Array;
    state: QuantState;
};
/**
 * bitsandbytes.functional.quantize_4bit: `[packed, state]` with packed a uint8 tensor of
 * shape [ceil(n/2), 1], two codes per byte, the first element in the high nibble.
 */
export declare function quantize4bit(t: Tensor, opts?: Quantize4bitOptions): [Tensor, QuantState];
/** Block scales as float32 (decoding the nested level when double-quantized). */
export declare function blockScales(state: QuantState): Float32Array;
/** bitsandbytes.functional.dequantize_4bit: a float32 tensor of state.shape. */
export declare function dequantize4bit(packed: Tensor | Uint8Array, state: QuantState): Tensor;
