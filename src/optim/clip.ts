/**
 * Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: the L2 norm of all
 * gradients together (summed in double by the native sum_squares), and when it exceeds
 * maxNorm every gradient is scaled by maxNorm / (norm + 1e-6).
 */
import { kernels, type Tensor } from "../tensor/index.js";

/** The global L2 norm of the parameters' gradients (those without one are skipped). */
export function gradNorm(params: Iterable<Tensor>): number {
  let total = 0;
  for (const p of params) {
    const g = p.grad;
    if (g && g.numel > 0) total += kernels().sumSquares(g.f32(), g.numel);
  }
  return Math.sqrt(total);
}

/**
 * Scales the gradients in place so their global norm is at most maxNorm; returns the norm
 * before clipping. A non-finite norm (NaN/Inf gradients) is returned as is and the
 * gradients are left untouched, so the caller can skip the step or stop training.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  const list = [...params];
  const norm = gradNorm(list);
  const coef = clipCoefficient(norm, maxNorm);
  if (coef !== 1) scaleGradients(list, coef);
  return norm;
}

/**
 * What clipping multiplies the gradients by: maxNorm / (norm + 1e-6) when the norm exceeds
 * maxNorm, else 1 (and 1 for a non-finite norm, which the caller must handle). The Trainer
 * passes it to optimizer.step(coef), which fuses it into the update.
 */
export function clipCoefficient(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new RangeError(`[clipGradNorm] maxNorm must be positive, got ${maxNorm}`);
  if (!Number.isFinite(norm)) return 1;
  const coef = maxNorm / (norm + 1e-6);
  return coef < 1 ? coef : 1;
}

/** Multiplies every gradient by coef in place (for an optimizer that does not fuse the scale). */
export function scaleGradients(params: Iterable<Tensor>, coef: number): void {
  for (const p of params) {
    const g = p.grad;
    if (!g || g.numel === 0) continue;
    const data = g.f32();
    for (let i = 0; i < data.length; i++) data[i] *= coef;
  }
}
