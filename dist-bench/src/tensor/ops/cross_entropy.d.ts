import { Tensor } from "../tensor.js";
export interface CrossEntropyOptions {
    ignore_index?: number;
    reduction?: "mean" | "sum" | "none";
    label_smoothing?: number;
}
/**
 * Cross-entropy between logits (..., V) and int32 class indices target (...). Targets equal
 * to ignore_index (default -100) add nothing; others must lie in [0, V).
 */
export declare function crossEntropy(logits: Tensor, target: Tensor | number[] | number[][], opts?: CrossEntropyOptions): Tensor;
