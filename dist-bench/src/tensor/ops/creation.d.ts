/** Factory functions: tensor, zeros, ones, full, randn, rand, arange (PyTorch names). */
import { type DType } from "../dtype.js";
import { Tensor, type Shape } from "../tensor.js";
export interface CreateOptions {
    dtype?: DType | string;
    requires_grad?: boolean;
}
type Nested = number | boolean | Nested[];
/**
 * A tensor from nested arrays or a typed array (copied). Integer typed arrays default to
 * int32, everything else to float32.
 */
export declare function tensor(data: Nested | Float32Array | Int32Array | Uint8Array | ArrayLike<number>, opts?: CreateOptions & {
    shape?: Shape;
}): Tensor;
export declare function full(shape: Shape, value: number, opts?: CreateOptions): Tensor;
export declare function zeros(shape: Shape, opts?: CreateOptions): Tensor;
export declare function ones(shape: Shape, opts?: CreateOptions): Tensor;
export declare function zerosLike(t: Tensor, opts?: CreateOptions): Tensor;
export declare function onesLike(t: Tensor, opts?: CreateOptions): Tensor;
export declare function empty(shape: Shape, opts?: CreateOptions): Tensor;
/** Standard normal samples from the global generator (manualSeed). */
export declare function randn(shape: Shape, opts?: CreateOptions & {
    mean?: number;
    std?: number;
}): Tensor;
/** Uniform samples in [low, high) (default [0, 1)). */
export declare function rand(shape: Shape, opts?: CreateOptions & {
    low?: number;
    high?: number;
}): Tensor;
/** arange(end) or arange(start, end, step); int32 unless a dtype or a fractional value says otherwise. */
export declare function arange(start: number, end?: number, step?: number, opts?: CreateOptions): Tensor;
export {};
