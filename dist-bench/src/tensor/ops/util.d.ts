/** Shape and layout helpers shared by the ops. */
import { type Shape, Tensor, sameShape } from "../tensor.js";
export { sameShape };
/** x itself when contiguous, else a contiguous copy (the caller disposes a copy it does not keep). */
export declare function asContiguous(x: Tensor): Tensor;
/** A contiguous tensor the op owns, reshaped: the view replaces it (no copy). */
export declare function reshapeOwned(t: Tensor, shape: Shape): Tensor;
/** Normalises a possibly negative dim; errors name the op and the shape. */
export declare function normDim(dim: number, ndim: number, op: string): number;
/** NumPy broadcasting of two shapes. */
export declare function broadcastShapes(a: Shape, b: Shape, op: string): number[];
/** Strides that read a tensor of (shape, strides) as if it had `target` shape (0 = broadcast). */
export declare function broadcastStrides(shape: Shape, strides: Shape, target: Shape): number[];
/** Resolves one -1 in a requested shape. */
export declare function inferShape(requested: Shape, numel: number, op: string): number[];
