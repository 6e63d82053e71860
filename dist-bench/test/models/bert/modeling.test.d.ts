import { Tensor } from "../../../src/tensor/index.js";
/** max |a - e| and max |a - e| / |e| (over |e| > 1e-6). */
export declare function errors(actual: Tensor | Float32Array, expected: Tensor | Float32Array): {
    abs: number;
    rel: number;
};
/** Asserts |a - e| <= atol + rtol |e| elementwise, naming the worst element. */
export declare function assertAllClose(actual: Tensor, expected: Tensor, atol: number, rtol: number, what: string): void;
