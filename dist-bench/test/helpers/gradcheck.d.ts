import { Tensor } from "../../src/index.js";
export interface GradcheckOptions {
    eps?: number;
    atol?: number;
    rtol?: number;
    /** Indices of inputs to check (default: every float32 input that requires grad). */
    check?: number[];
}
/** Asserts that autograd gradients of f match finite differences for each checked input. */
export declare function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts?: GradcheckOptions): void;
/** A float32 leaf with deterministic pseudo-random values that requires grad. */
export declare function leaf(shape: number[], seed?: number, scale?: number, offset?: number): Tensor;
