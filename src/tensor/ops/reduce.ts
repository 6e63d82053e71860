/** Reductions: sum, mean, amax/amin, max/min along a dim, argmax. */
import { defineOp } from "../autograd.js";
import { ReduceOp } from "../native.js";
import { kernels } from "../backend.js";
import { Tensor, type Shape, numelOf } from "../tensor.js";
import { normDim } from "./util.js";
import { asContiguousF32, reduceDim, reduceDims } from "./reduce_kernel.js";
import { expand, reshape } from "./views.js";
import { mul, eq, div } from "./binary.js";

function resolveDims(x: Tensor, dim: number | readonly number[] | undefined, op: string): number[] {
  if (dim === undefined) return x.shape.map((_, i) => i);
  const list = typeof dim === "number" ? [dim] : [...dim];
  return [...new Set(list.map((d) => normDim(d, x.ndim, op)))];
}

function dropDims(shape: Shape, dims: number[]): number[] {
  return shape.filter((_, i) => !dims.includes(i));
}

/** The reduction viewed without its reduced dims (keepdim false), or as it is. */
function dropped(r: Tensor, inShape: Shape, dims: number[], keepdim: boolean): Tensor {
  return keepdim ? r : new Tensor(r.storage, dropDims(inShape, dims));
}

const sumOp = defineOp({
  name: "sum",
  forward(_ctx, x: Tensor, dims: number[], keepdim: boolean) {
    const r = reduceDims(x, dims, ReduceOp.sum);
    return { out: dropped(r, x.shape, dims, keepdim), saved: { inShape: x.shape, keptShape: r.shape } };
  },
  backward: ({ inShape, keptShape }, dy) => [expand(reshape(dy, keptShape), inShape).contiguous()],
});

const meanOp = defineOp({
  name: "mean",
  forward(_ctx, x: Tensor, dims: number[], keepdim: boolean) {
    const r = reduceDims(x, dims, ReduceOp.mean);
    const count = numelOf(dims.map((d) => x.shape[d]));
    return { out: dropped(r, x.shape, dims, keepdim), saved: { inShape: x.shape, keptShape: r.shape, count } };
  },
  backward: ({ inShape, keptShape, count }, dy) => [div(expand(reshape(dy, keptShape), inShape), count)],
});

/** Sum over dim(s) (all when omitted), like torch.sum. */
export function sum(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return sumOp(x, resolveDims(x, dim, "sum"), keepdim);
}

export function mean(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return meanOp(x, resolveDims(x, dim, "mean"), keepdim);
}

function extremumOp(name: string, code: number) {
  return defineOp({
    name,
    forward(_ctx, x: Tensor, dims: number[], keepdim: boolean) {
      if (x.numel === 0) throw new RangeError(`[${name}] cannot reduce an empty tensor`);
      const r = reduceDims(x, dims, code);
      return { out: keepdim ? r.alias() : dropped(r, x.shape, dims, false), saved: { x, r } };
    },
    backward({ x, r }, dy) {
      // Gradient flows to every position equal to the extremum, split evenly among ties (amax).
      const mask = eq(x, r);
      const reduced = r.shape.flatMap((s, i) => (s === 1 && x.shape[i] !== 1 ? [i] : []));
      const g = div(reshape(dy, r.shape), sumOp(mask, reduced, true));
      return [mul(mask, g)];
    },
  });
}

const amaxOp = extremumOp("amax", ReduceOp.max);
const aminOp = extremumOp("amin", ReduceOp.min);

export function amax(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return amaxOp(x, resolveDims(x, dim, "amax"), keepdim);
}

export function amin(x: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return aminOp(x, resolveDims(x, dim, "amin"), keepdim);
}

/** Index of the first maximum along dim (int32); over the flattened tensor when dim is omitted. */
export function argmax(x: Tensor, dim?: number, keepdim = false): Tensor {
  const src = dim === undefined ? reshape(x, [x.numel]) : x;
  const d = dim === undefined ? 0 : normDim(dim, x.ndim, "argmax");
  if (src.shape[d] === 0) throw new RangeError("[argmax] cannot take argmax of an empty dimension");
  const c = asContiguousF32(src, "argmax");
  const shape = [...src.shape];
  shape[d] = 1;
  const out = Tensor.empty(keepdim ? shape : dropDims(src.shape, [d]), "int32");
  kernels().argmax(out.i32(), c.f32(), numelOf(src.shape.slice(0, d)), src.shape[d], numelOf(src.shape.slice(d + 1)));
  if (c !== src) c.dispose();
  return out;
}

