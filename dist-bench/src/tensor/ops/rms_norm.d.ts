import { Tensor } from "../tensor.js";
/** RMS normalization over the last dim, scaled by weight (C) when given. */
export declare function rmsNorm(x: Tensor, weight?: Tensor | null, eps?: number): Tensor;
