import { Tensor } from "../tensor.js";
export declare const neg: (x: Tensor) => Tensor;
export declare const exp: (x: Tensor) => Tensor;
export declare const log: (x: Tensor) => Tensor;
export declare const sqrt: (x: Tensor) => Tensor;
export declare const rsqrt: (x: Tensor) => Tensor;
export declare const tanh: (x: Tensor) => Tensor;
export declare const sigmoid: (x: Tensor) => Tensor;
export declare const relu: (x: Tensor) => Tensor;
export declare const silu: (x: Tensor) => Tensor;
export declare const abs: (x: Tensor) => Tensor;
export declare const square: (x: Tensor) => Tensor;
export declare const reciprocal: (x: Tensor) => Tensor;
export declare const sin: (x: Tensor) => Tensor;
export declare const cos: (x: Tensor) => Tensor;
/** GELU: the exact erf form, or approximate "tanh" (GPT-2's gelu_new), as torch's F.gelu. */
export declare function gelu(x: Tensor, approximate?: "none" | "tanh"): Tensor;
