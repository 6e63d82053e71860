/**
 * Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: the L2 norm of all
 * gradients together (summed in double by the native sum_squares), and when it exceeds
 * maxNorm every gradient is scaled by maxNorm / (norm + 1e-6).
 */
import { type Tensor } from "../tensor/index.js";
/** The global L2 norm of the parameters' gradients (those without one are skipped). */
export declare function gradNorm(params: Iterable<Tensor>): number;
/**
 * Scales the gradients in place so their global norm is at most maxNorm; returns the norm
 * before clipping. A non-finite norm (NaN/Inf gradients) is returned as is and the
 * gradients are left untouched, so the caller can skip the step or stop training.
 */
export declare function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number;
