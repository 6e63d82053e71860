import { type DType } from "../dtype.js";
import { Tensor } from "../tensor.js";
/** A copy of x converted to dtype (x itself when it already has it). */
export declare function cast(x: Tensor, dtype: DType | string): Tensor;
