/**
 * rmsNorm over the last dim (Llama's RMSNorm, torch.nn.functional.rms_norm): y = x * rstd * w,
 * rstd = 1 / sqrt(mean(x^2) + eps). Forward saves x and rstd.
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";
import { asContiguous } from "./util.js";

const rmsNormOp = defineOp({
  name: "rms_norm",
  forward(_ctx, x: Tensor, weight: Tensor | null, eps: number) {
    const C = x.shape[x.ndim - 1];
    const N = C === 0 ? 0 : x.numel / C;
    const xc = asContiguous(x);
    const w = weight ? asContiguous(weight) : null;
    const y = Tensor.empty(x.shape);
    const rstd = Tensor.empty([N]);
    if (y.numel > 0) kernels().rmsNormForward(y.f32(), rstd.f32(), xc.f32(), w?.f32() ?? null, N, C, eps);
    return { out: y, saved: { x: xc, rstd, w, N, C } };
  },
  backward({ x, rstd, w, N, C }, dy, { needsInputGrad: need }) {
    const dx = need[0] ? Tensor.empty(x.shape) : null;
    const dw = w && need[1] ? Tensor.empty([C]) : null;
    const g = asContiguous(dy);
    if (C > 0 && (dx || dw)) {
      kernels().rmsNormBackward(dx?.f32() ?? null, dw?.f32() ?? null, g.f32(), x.f32(), w?.f32() ?? null, rstd.f32(), N, C);
    }
    return w ? [dx, dw] : [dx];
  },
});

/** RMS normalization over the last dim, scaled by weight (C) when given. */
export function rmsNorm(x: Tensor, weight?: Tensor | null, eps = 1e-6): Tensor {
  if (x.ndim === 0) throw new RangeError("[rms_norm] x must have at least one dim; got a scalar");
  if (x.dtype !== "float32") throw new TypeError(`[rms_norm] x must be float32, got ${x.dtype}; convert with .float()`);
  const C = x.shape[x.ndim - 1];
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new RangeError(`[rms_norm] x is [${x.shape.join(", ")}] but weight is [${weight.shape.join(", ")}]; weight must be [${C}]`);
  }
  if (weight && weight.dtype !== "float32") throw new TypeError(`[rms_norm] weight must be float32, got ${weight.dtype}`);
  return rmsNormOp(x, weight ?? null, eps);
}
