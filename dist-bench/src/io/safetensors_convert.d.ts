import type { RawTensor } from "./safetensors.js";
/**
 * Any dtype as float32. F32 returns a view of the same bytes (no copy) when aligned: writing
 * to the result writes to the tensor. I64 values beyond 2^24 round as float32 does.
 */
export declare function rawToFloat32(raw: RawTensor, name?: string): Float32Array;
/** Integer dtypes as int32 (I32 is a view when aligned). Floats are refused; I64 values must fit in int32. */
export declare function rawToInt32(raw: RawTensor, name?: string): Int32Array;
/** float32 values as a RawTensor of F32 (a view, no copy), BF16 or F16 (round to nearest even). */
export declare function float32ToRaw(data: Float32Array, shape: number[], dtype?: "F32" | "BF16" | "F16"): RawTensor;
export declare function f32BitsToBf16(bits: number): number;
export declare function f32BitsToF16(bits: number): number;
