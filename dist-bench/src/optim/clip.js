/**
 * Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: the L2 norm of all
 * gradients together (summed in double by the native sum_squares), and when it exceeds
 * maxNorm every gradient is scaled by maxNorm / (norm + 1e-6).
 */
import { backend } from "../tensor/index.js";
/** The global L2 norm of the parameters' gradients (those without one are skipped). */
export function gradNorm(params) {
    let total = 0;
    for (const p of params) {
        const g = p.grad;
        if (g && g.numel > 0)
            total += backend().kernels.sumSquares(g.f32(), g.numel);
    }
    return Math.sqrt(total);
}
/**
 * Scales the gradients in place so their global norm is at most maxNorm; returns the norm
 * before clipping. A non-finite norm (NaN/Inf gradients) is returned as is and the
 * gradients are left untouched, so the caller can skip the step or stop training.
 */
export function clipGradNorm(params, maxNorm) {
    if (!(maxNorm > 0))
        throw new RangeError(`[clipGradNorm] maxNorm must be positive, got ${maxNorm}`);
    const list = [...params];
    const norm = gradNorm(list);
    if (!Number.isFinite(norm))
        return norm;
    const coef = maxNorm / (norm + 1e-6);
    if (coef >= 1)
        return norm;
    for (const p of list) {
        const g = p.grad;
        if (!g || g.numel === 0)
            continue;
        const data = g.f32();
        for (let i = 0; i < data.length; i++)
            data[i] *= coef;
    }
    return norm;
}
//# sourceMappingURL=clip.js.map