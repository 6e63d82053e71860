import { Tensor } from "../tensor.js";
/** F.dropout: identity when !training or p == 0; zeros when p == 1. */
export declare function dropout(x: Tensor, p?: number, training?: boolean): Tensor;
