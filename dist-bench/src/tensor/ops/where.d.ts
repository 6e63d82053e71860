import { Tensor } from "../tensor.js";
/**
 * A uint8 0/1 mask: any non-zero value (NaN included, as torch's bool()) selects a. A plain
 * cast would not do: float32 → uint8 truncates 0.5 to 0 and int32 → uint8 wraps 256 to 0.
 */
export declare function asMask(cond: Tensor): Tensor;
/** Selects a where the uint8 mask cond is 1, else b, broadcasting all three (no autograd). */
export declare function whereKernel(cond: Tensor, a: Tensor, b: Tensor): Tensor;
/** Elements of a where cond is non-zero, else of b (numbers broadcast). */
export declare function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor;
/** x with `value` wherever mask is non-zero (torch's masked_fill). */
export declare function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor;
