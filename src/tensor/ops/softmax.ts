/**
 * softmax and logSoftmax along any dim. The kernels work on rows of the last dim; another
 * dim is moved last (one copy), computed, and the result is returned as a permuted view.
 * Backward reads only the output (y), as torch's derivatives.yaml does.
 */
import { defineOp, noGrad } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor, contiguousStrides, numelOf } from "../tensor.js";
import { normDim } from "./util.js";
import { reshape, squeeze } from "./views.js";
import { amax, sum } from "./reduce.js";
import { add, sub } from "./binary.js";
import { exp, log } from "./unary.js";
import { where } from "./where.js";

/** Dim order that moves `dim` last, and its inverse. */
function lastOrder(ndim: number, dim: number): number[] {
  const order = [];
  for (let i = 0; i < ndim; i++) if (i !== dim) order.push(i);
  order.push(dim);
  return order;
}

/** A contiguous tensor holding t with `dim` moved last: t itself, a view of it, or a copy. */
export function moveDimLast(t: Tensor, dim: number): Tensor {
  if (dim === t.ndim - 1) return t.isContiguous() ? t : t.contiguousCopy();
  const order = lastOrder(t.ndim, dim);
  const view = new Tensor(t.storage, order.map((d) => t.shape[d]), order.map((d) => t.strides[d]), t.offset);
  if (view.isContiguous()) return view;
  const c = view.contiguousCopy();
  view.dispose();
  return c;
}

/** Undoes moveDimLast: a view of `t` (contiguous, dim last) in the original dim order. Consumes t. */
export function restoreDim(t: Tensor, dim: number): Tensor {
  if (dim === t.ndim - 1) return t;
  const order = lastOrder(t.ndim, dim);
  const shape = new Array<number>(t.ndim);
  const strides = new Array<number>(t.ndim);
  const cs = contiguousStrides(t.shape);
  order.forEach((d, i) => {
    shape[d] = t.shape[i];
    strides[d] = cs[i];
  });
  const v = new Tensor(t.storage, shape, strides, 0);
  t.dispose();
  return v;
}

type RowKernel = (y: Float32Array, x: Float32Array, N: number, C: number) => void;
type RowBackward = (dx: Float32Array, dy: Float32Array, y: Float32Array, N: number, C: number) => void;

function rowsOp(name: string, fwd: () => RowKernel, bwd: () => RowBackward) {
  return defineOp({
    name,
    forward(_ctx, x: Tensor, dim: number) {
      if (x.dtype !== "float32") throw new TypeError(`[${name}] expects float32, got ${x.dtype}; convert with .float()`);
      const c = moveDimLast(x, dim);
      const C = x.shape[dim];
      const y = Tensor.empty(c.shape);
      if (y.numel > 0) fwd()(y.f32(), c.f32(), numelOf(c.shape) / C, C);
      const out = restoreDim(y, dim);
      return { out, saved: { out, dim } };
    },
    backward({ out, dim }, dy) {
      const g = moveDimLast(dy, dim);
      const y = moveDimLast(out, dim);
      const C = g.shape[g.ndim - 1];
      const dx = Tensor.empty(g.shape);
      if (dx.numel > 0) bwd()(dx.f32(), g.f32(), y.f32(), numelOf(g.shape) / C, C);
      return [restoreDim(dx, dim)];
    },
  });
}

const softmaxOp = rowsOp("softmax", () => kernels().softmaxForward, () => kernels().softmaxBackward);
const logSoftmaxOp = rowsOp("log_softmax", () => kernels().logSoftmaxForward, () => kernels().logSoftmaxBackward);

/** exp(x) / sum(exp(x)) along dim (torch.softmax); stable for large |x|. */
export function softmax(x: Tensor, dim: number): Tensor {
  if (x.ndim === 0) return reshape(softmaxOp(reshape(x, [1]), 0), []);
  return softmaxOp(x, normDim(dim, x.ndim, "softmax"));
}

/** x - logsumexp(x) along dim (torch.log_softmax). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  if (x.ndim === 0) return reshape(logSoftmaxOp(reshape(x, [1]), 0), []);
  return logSoftmaxOp(x, normDim(dim, x.ndim, "log_softmax"));
}

/**
 * log(sum(exp(x))) along dim (torch.logsumexp), shifted by the (constant) max so large
 * |x| stays finite; its gradient is softmax(x).
 */
export function logsumexp(x: Tensor, dim: number, keepdim = false): Tensor {
  const d = normDim(dim, x.ndim, "logsumexp");
  if (x.shape[d] === 0) throw new RangeError(`[logsumexp] dim ${dim} of [${x.shape.join(", ")}] is empty`);
  const m = noGrad(() => amax(x.detach(), d, true));
  // Rows of -inf (or +inf) keep their value instead of becoming NaN.
  const shift = noGrad(() => where(isFiniteMask(m), m, 0));
  const lse = add(log(sum(exp(sub(x, shift)), d, true)), shift);
  return keepdim ? lse : squeeze(lse, d);
}

function isFiniteMask(m: Tensor): Tensor {
  const out = Tensor.empty(m.shape, "uint8");
  const v = m.toFloat32Array();
  const b = out.data as Uint8Array;
  for (let i = 0; i < v.length; i++) b[i] = Number.isFinite(v[i]) ? 1 : 0;
  return out;
}
