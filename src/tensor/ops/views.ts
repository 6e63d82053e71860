/**
 * View ops: they share storage with their input (no copy) and carry gradients back.
 * reshape, permute/transpose, expand, slice (narrow), unsqueeze/squeeze, plus the copies
 * contiguous and clone.
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor, type Shape, contiguousStrides, numelOf } from "../tensor.js";
import { inferShape, normDim, sameShape } from "./util.js";
import { sumToShape } from "./reduce_kernel.js";

function viewOf(x: Tensor, shape: Shape, strides: Shape, offset: number): Tensor {
  return new Tensor(x.storage, shape, strides, offset);
}

/** Strides for viewing x with `shape`, or null when its layout needs a copy first. */
function viewStrides(x: Tensor, shape: number[]): number[] | null {
  if (x.isContiguous()) return contiguousStrides(shape);
  return null;
}

const reshapeOp = defineOp({
  name: "reshape",
  forward(_ctx, x: Tensor, shape: Shape) {
    const target = inferShape(shape, x.numel, "reshape");
    const strides = viewStrides(x, target);
    const out = strides ? viewOf(x, target, strides, x.offset) : viewOf(x.contiguousCopy(), target, contiguousStrides(target), 0);
    return { out, saved: { inShape: x.shape } };
  },
  backward: ({ inShape }, dy) => [reshape(dy, inShape)],
});

/** Same data, new shape (one dim may be -1). A view when x is contiguous, else a copy. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  if (sameShape(x.shape, shape)) return x;
  return reshapeOp(x, shape);
}

const permuteOp = defineOp({
  name: "permute",
  forward: (_ctx, x: Tensor, dims: number[]) => ({
    out: viewOf(x, dims.map((d) => x.shape[d]), dims.map((d) => x.strides[d]), x.offset),
    saved: { dims },
  }),
  backward({ dims }, dy) {
    const inverse = new Array<number>(dims.length);
    dims.forEach((d, i) => (inverse[d] = i));
    return [permute(dy, inverse)];
  },
});

/** Reorders dimensions (a view). */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new RangeError(`[permute] got ${dims.length} dims for a tensor with ${x.ndim} dimensions`);
  }
  const norm = dims.map((d) => normDim(d, x.ndim, "permute"));
  if (new Set(norm).size !== norm.length) throw new RangeError(`[permute] repeated dims in [${dims.join(", ")}]`);
  if (norm.every((d, i) => d === i)) return x;
  return permuteOp(x, norm);
}

/** Swaps two dimensions (a view). */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normDim(dim0, x.ndim, "transpose");
  const b = normDim(dim1, x.ndim, "transpose");
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

const expandOp = defineOp({
  name: "expand",
  forward(_ctx, x: Tensor, shape: number[]) {
    const lead = shape.length - x.ndim;
    const strides = shape.map((d, i) => {
      if (i < lead) return 0;
      return x.shape[i - lead] === 1 && d !== 1 ? 0 : x.strides[i - lead];
    });
    return { out: viewOf(x, shape, strides, x.offset), saved: { inShape: x.shape } };
  },
  backward: ({ inShape }, dy) => [sumToShape(dy, inShape)],
});

/** Broadcasts size-1 dims to `shape` without copying (-1 keeps a dim). */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new RangeError(`[expand] cannot expand shape [${x.shape}] to fewer dims [${shape}]`);
  shape.forEach((d, i) => {
    if (!(Number.isInteger(d) && (d >= 0 || (d === -1 && i >= lead)))) {
      throw new RangeError(`[expand] size ${d} at dim ${i} of [${shape.join(", ")}] is invalid; sizes are non-negative integers, or -1 to keep one of x's dims (not a new leading one)`);
    }
  });
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - lead] : d));
  for (let i = 0; i < x.ndim; i++) {
    const s = x.shape[i];
    if (s !== 1 && s !== target[i + lead]) {
      throw new RangeError(`[expand] cannot expand shape [${x.shape.join(", ")}] to [${shape.join(", ")}]: dim ${i} is ${s}`);
    }
  }
  if (sameShape(target, x.shape)) return x;
  return expandOp(x, target);
}

/** Scatters dy (a slice of length n along `dim`) into zeros of `shape` at start, step. */
function unslice(dy: Tensor, shape: number[], dim: number, start: number, step: number): Tensor {
  const out = Tensor.empty(shape);
  const outer = numelOf(shape.slice(0, dim));
  const inner = numelOf(shape.slice(dim + 1));
  const n = dy.shape[dim];
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = start + i * step;
  const g = dy.isContiguous() ? dy : dy.contiguousCopy();
  if (out.numel > 0) kernels().indexSelectBackward(out.f32(), g.f32(), idx, outer, shape[dim], inner, n);
  return out;
}

const sliceOp = defineOp({
  name: "slice",
  forward(_ctx, x: Tensor, dim: number, start: number, end: number, step: number) {
    const shape = [...x.shape];
    shape[dim] = Math.max(0, Math.ceil((end - start) / step));
    const strides = [...x.strides];
    strides[dim] *= step;
    return { out: viewOf(x, shape, strides, x.offset + start * x.strides[dim]), saved: { inShape: x.shape, dim, start, step } };
  },
  backward: ({ inShape, dim, start, step }, dy) => [unslice(dy, inShape, dim, start, step)],
});

/** x[..., start:end:step, ...] along dim (a view). Negative and out-of-range bounds clamp as in Python. */
export function slice(x: Tensor, dim: number, start = 0, end?: number, step = 1): Tensor {
  const d = normDim(dim, x.ndim, "slice");
  const size = x.shape[d];
  if (!Number.isInteger(step) || step < 1) throw new RangeError(`[slice] step must be a positive integer, got ${step}`);
  if (!Number.isInteger(start) || (end !== undefined && !Number.isInteger(end))) {
    throw new RangeError(`[slice] bounds must be integers, got start ${start} and end ${end}`);
  }
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
  const s = clamp(start);
  const e = Math.max(s, clamp(end ?? size));
  if (s === 0 && e === size && step === 1) return x;
  return sliceOp(x, d, s, e, step);
}

/** torch.narrow: length elements from start along dim. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  return slice(x, dim, start, start + length);
}

/** x[..., index, ...]: removes dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normDim(dim, x.ndim, "select");
  const size = x.shape[d];
  const i = index < 0 ? index + size : index;
  if (i < 0 || i >= size) throw new RangeError(`[select] index ${index} is out of range for dim ${dim} of size ${size}`);
  const s = slice(x, d, i, i + 1);
  return reshape(s, x.shape.filter((_, k) => k !== d));
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normDim(dim, x.ndim + 1, "unsqueeze");
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, dim?: number): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((s) => s !== 1));
  const d = normDim(dim, x.ndim, "squeeze");
  if (x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim(startDim, x.ndim, "flatten");
  const e = normDim(endDim, x.ndim, "flatten");
  const shape = [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

const copyOp = defineOp({
  name: "clone",
  forward: (_ctx, x: Tensor) => ({ out: x.contiguousCopy(), saved: null }),
  backward: (_s, dy) => [dy],
});

/** A contiguous tensor with x's values: x itself when already contiguous. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : copyOp(x);
}

/** A differentiable copy. */
export function clone(x: Tensor): Tensor {
  return copyOp(x);
}
