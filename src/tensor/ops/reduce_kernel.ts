/**
 * Reductions outside autograd, which the ops' backward passes share: reduce one or several
 * dims with the native kernel, and sumToShape (a broadcast gradient summed back to its
 * input's shape). Its own file, so binary, views and where need not import reduce.ts (which
 * imports them): no import cycle among the ops.
 */
import { ReduceOp } from "../native.js";
import { kernels } from "../backend.js";
import { Tensor, type Shape, numelOf } from "../tensor.js";
import { reshapeOwned, sameShape } from "./util.js";

export function asContiguousF32(x: Tensor, op: string): Tensor {
  if (x.dtype !== "float32") throw new TypeError(`[${op}] expects float32, got ${x.dtype}; convert with .float()`);
  return x.isContiguous() ? x : x.contiguousCopy();
}

/** Reduces one dim of a contiguous tensor (keepdim shape). */
export function reduceDim(x: Tensor, dim: number, op: number): Tensor {
  const c = asContiguousF32(x, "reduce");
  const outer = numelOf(x.shape.slice(0, dim));
  const R = x.shape[dim];
  const inner = numelOf(x.shape.slice(dim + 1));
  const shape = [...x.shape];
  shape[dim] = 1;
  const out = Tensor.empty(shape);
  if (out.numel > 0) kernels().reduce(op, out.f32(), c.f32(), outer, R, inner);
  if (c !== x) c.dispose();
  return out;
}

/** Reduces the listed dims (keepdim shape), one kernel pass per dim. */
export function reduceDims(x: Tensor, dims: number[], op: number): Tensor {
  let cur = x;
  for (const d of [...dims].sort((a, b) => a - b)) {
    const next = reduceDim(cur, d, op);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur === x ? x.contiguousCopy() : cur;
}

/** Sums a broadcast gradient back to `shape` (the inverse of broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const r = reduceDims(g, dims, ReduceOp.sum);
  return reshapeOwned(r, [...shape]);
}
