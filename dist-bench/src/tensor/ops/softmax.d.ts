import { Tensor } from "../tensor.js";
/** A contiguous tensor holding t with `dim` moved last: t itself, a view of it, or a copy. */
export declare function moveDimLast(t: Tensor, dim: number): Tensor;
/** Undoes moveDimLast: a view of `t` (contiguous, dim last) in the original dim order. Consumes t. */
export declare function restoreDim(t: Tensor, dim: number): Tensor;
/** exp(x) / sum(exp(x)) along dim (torch.softmax); stable for large |x|. */
export declare function softmax(x: Tensor, dim: number): Tensor;
/** x - logsumexp(x) along dim (torch.log_softmax). */
export declare function logSoftmax(x: Tensor, dim: number): Tensor;
/**
 * log(sum(exp(x))) along dim (torch.logsumexp), shifted by the (constant) max so large
 * |x| stays finite; its gradient is softmax(x).
 */
export declare function logsumexp(x: Tensor, dim: number, keepdim?: boolean): Tensor;
