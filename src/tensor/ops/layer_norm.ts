/**
 * layerNorm over the trailing `normalizedShape` dims (torch.nn.functional.layer_norm).
 * Forward saves x, mean and rstd (N rows each); backward asks the kernel only for the
 * gradients that are wanted.
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor, numelOf } from "../tensor.js";
import { asContiguous } from "./util.js";

const layerNormOp = defineOp({
  name: "layer_norm",
  forward(_ctx, x: Tensor, weight: Tensor | null, bias: Tensor | null, normalizedShape: number[], eps: number) {
    const C = numelOf(normalizedShape);
    const xc = asContiguous(x);
    const w = weight ? asContiguous(weight) : null;
    const b = bias ? asContiguous(bias) : null;
    const N = C === 0 ? 0 : x.numel / C;
    const y = Tensor.empty(x.shape);
    const mean = Tensor.empty([N]);
    const rstd = Tensor.empty([N]);
    if (y.numel > 0) kernels().layerNormForward(y.f32(), mean.f32(), rstd.f32(), xc.f32(), w?.f32() ?? null, b?.f32() ?? null, N, C, eps);
    return { out: y, saved: { x: xc, mean, rstd, w, hasB: !!bias, N, C, wShape: normalizedShape } };
  },
  backward({ x, mean, rstd, w, hasB, N, C, wShape }, dy, { needsInputGrad: need }) {
    const needW = !!w && need[1];
    const needB = hasB && need[w ? 2 : 1];
    const g = asContiguous(dy);
    const dx = need[0] ? Tensor.empty(x.shape) : null;
    const dw = needW ? Tensor.empty([C]) : null;
    const db = needB ? Tensor.empty([C]) : null;
    if (C > 0 && (dx || dw || db)) {
      kernels().layerNormBackward(dx?.f32() ?? null, dw?.f32() ?? null, db?.f32() ?? null, g.f32(), x.f32(), w?.f32() ?? null, mean.f32(), rstd.f32(), N, C);
    }
    // dw/db come back flat (C); a multi-dim normalizedShape views them with its shape.
    const shaped = (t: Tensor | null) => (t && wShape.length > 1 ? new Tensor(t.storage, wShape) : t);
    const grads: (Tensor | null)[] = [dx];
    if (w) grads.push(shaped(dw));
    if (hasB) grads.push(shaped(db));
    return grads;
  },
});

/**
 * F.layer_norm(x, normalizedShape, weight, bias, eps): normalizes over the last
 * normalizedShape dims (a number means one dim of that size). weight and bias have
 * normalizedShape, or are omitted (no affine transform).
 */
export function layerNorm(
  x: Tensor,
  normalizedShape: number | readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  const ns = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - ns.length);
  if (ns.length > x.ndim || tail.some((d, i) => d !== ns[i])) {
    throw new RangeError(
      `[layer_norm] x is [${x.shape.join(", ")}] but normalizedShape is [${ns.join(", ")}]; the last dims of x must equal normalizedShape`,
    );
  }
  if (x.dtype !== "float32") throw new TypeError(`[layer_norm] x must be float32, got ${x.dtype}; convert with .float()`);
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (!t) continue;
    if (t.numel !== numelOf(ns) || t.ndim !== ns.length || t.shape.some((d, i) => d !== ns[i])) {
      throw new RangeError(`[layer_norm] ${name} is [${t.shape.join(", ")}] but normalizedShape is [${ns.join(", ")}]; they must be equal`);
    }
    if (t.dtype !== "float32") throw new TypeError(`[layer_norm] ${name} must be float32, got ${t.dtype}`);
  }
  return layerNormOp(x, weight ?? null, bias ?? null, ns, eps);
}
