/**
 * dropout(x, p, training): zeroes elements with probability p and scales the rest by
 * 1/(1-p). The mask is never stored: a counter-based generator keyed by a seed drawn from
 * the global generator (manualSeed) regenerates it, so backward is the same kernel on dy.
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { nextKernelSeed } from "../random.js";
import { Tensor } from "../tensor.js";
import { mul } from "./binary.js";

const dropoutOp = defineOp({
  name: "dropout",
  forward(_ctx, x: Tensor, p: number, seed: number) {
    const xc = x.isContiguous() ? x : x.contiguousCopy();
    const out = Tensor.empty(x.shape);
    if (out.numel > 0) kernels().dropoutForward(out.f32(), xc.f32(), out.numel, p, seed);
    return { out, saved: { p, seed } };
  },
  backward({ p, seed }, dy) {
    const g = dy.isContiguous() ? dy : dy.contiguousCopy();
    const dx = Tensor.empty(dy.shape);
    if (dx.numel > 0) kernels().dropoutForward(dx.f32(), g.f32(), dx.numel, p, seed);
    return [dx];
  },
});

/** F.dropout: identity when !training or p == 0; zeros when p == 1. */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`[dropout] p must be in [0, 1], got ${p}`);
  if (x.dtype !== "float32") throw new TypeError(`[dropout] x must be float32, got ${x.dtype}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  return dropoutOp(x, p, nextKernelSeed());
}
