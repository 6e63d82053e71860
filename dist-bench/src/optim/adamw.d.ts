/**
 * AdamW as torch.optim.AdamW (decoupled weight decay, Loshchilov & Hutter), one fused
 * native pass per parameter (native/adamw.cpp):
 *   p -= lr * weight_decay * p
 *   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g^2
 *   p -= lr * (m / (1 - beta1^t)) / (sqrt(v / (1 - beta2^t)) + eps)
 * State per parameter: exp_avg (m), exp_avg_sq (v), both persistent and created at the
 * parameter's first step, and step (t). Parameters without a gradient are skipped.
 */
import { Tensor } from "../tensor/index.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
export interface AdamWOptions {
    lr: number;
    betas: [number, number];
    eps: number;
    weight_decay: number;
}
export declare class AdamW extends Optimizer<AdamWOptions> {
    constructor(params: ParamsInput, opts?: Partial<AdamWOptions>);
    protected validate(g: ParamGroup & AdamWOptions): void;
    protected groupKeys(): (keyof AdamWOptions & string)[];
    /**
     * One update of every parameter that has a gradient. gradScale multiplies the gradients
     * first, inside the fused kernel (a cheaper way to apply a clipping coefficient).
     */
    protected requiredStateKeys(): string[];
    /** A zeroed moment buffer (paged_adamw_32bit puts it in file-backed memory). */
    protected newMoment(shape: number[]): Tensor;
    step(gradScale?: number): void;
}
