import { Tensor, type Shape } from "../tensor.js";
/** A contiguous copy of any-dtype x (outside autograd). */
export declare function copyContiguous(x: Tensor): Tensor;
/** Same data, new shape (one dim may be -1). A view when x is contiguous, else a copy. */
export declare function reshape(x: Tensor, shape: Shape): Tensor;
/** Reorders dimensions (a view). */
export declare function permute(x: Tensor, dims: readonly number[]): Tensor;
/** Swaps two dimensions (a view). */
export declare function transpose(x: Tensor, dim0: number, dim1: number): Tensor;
/** Broadcasts size-1 dims to `shape` without copying (-1 keeps a dim). */
export declare function expand(x: Tensor, shape: Shape): Tensor;
/** x[..., start:end:step, ...] along dim (a view). Negative and out-of-range bounds clamp as in Python. */
export declare function slice(x: Tensor, dim: number, start?: number, end?: number, step?: number): Tensor;
/** torch.narrow: length elements from start along dim. */
export declare function narrow(x: Tensor, dim: number, start: number, length: number): Tensor;
/** x[..., index, ...]: removes dim. */
export declare function select(x: Tensor, dim: number, index: number): Tensor;
export declare function unsqueeze(x: Tensor, dim: number): Tensor;
export declare function squeeze(x: Tensor, dim?: number): Tensor;
export declare function flatten(x: Tensor, startDim?: number, endDim?: number): Tensor;
/** A contiguous tensor with x's values: x itself when already contiguous. */
export declare function contiguous(x: Tensor): Tensor;
/** A differentiable copy. */
export declare function clone(x: Tensor): Tensor;
export declare function elementSize(x: Tensor): number;
