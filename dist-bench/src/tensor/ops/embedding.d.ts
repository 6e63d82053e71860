import { Tensor } from "../tensor.js";
type Nested = number | Nested[];
/** An int32 contiguous tensor from ids given as a tensor or nested arrays. */
export declare function asIndexTensor(ids: Tensor | Nested, op: string, name: string): Tensor;
/** Throws naming the first index outside [0, size). */
export declare function checkRange(idx: Int32Array, size: number, op: string, what: string, hint?: string): void;
/**
 * F.embedding: rows of weight (V, C) at ids (any shape, int32, or nested number arrays),
 * giving [...ids.shape, C]. The paddingIdx row (negative counts from V) gets no gradient.
 */
export declare function embedding(ids: Tensor | Nested, weight: Tensor, paddingIdx?: number | null): Tensor;
/** torch.index_select: the slices of x at `index` (1-D int32) along dim. */
export declare function indexSelect(x: Tensor, dim: number, index: Tensor | number[]): Tensor;
/**
 * torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (likewise for any dim).
 * index has x's number of dims and is no larger than x outside `dim`; out has index's shape.
 */
export declare function gather(x: Tensor, dim: number, index: Tensor | Nested): Tensor;
export {};
