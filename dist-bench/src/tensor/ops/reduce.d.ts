import { Tensor, type Shape } from "../tensor.js";
/** Sum over dim(s) (all when omitted), like torch.sum. */
export declare function sum(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
export declare function mean(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
export declare function amax(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
export declare function amin(x: Tensor, dim?: number | readonly number[], keepdim?: boolean): Tensor;
/** Index of the first maximum along dim (int32); over the flattened tensor when dim is omitted. */
export declare function argmax(x: Tensor, dim?: number, keepdim?: boolean): Tensor;
/** Sums a broadcast gradient back to `shape` (the inverse of broadcasting). */
export declare function sumToShape(g: Tensor, shape: Shape): Tensor;
