/** Reductions: sum, mean, amax/amin, max/min along a dim, argmax. */
import { defineOp } from "../autograd.js";
import { ReduceOp } from "../native.js";
import { kernels } from "../backend.js";
import { Tensor, type Shape, numelOf } from "../tensor.js";
import { normDim, reshapeOwned, sameShape } from "./util.js";
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

const sumOp = defineOp({
  name: "sum",
  forward(ctx, x: Tensor, dims: number[], keepdim: boolean) {
    ctx.inShape = x.shape;
    const r = reduceDims(x, dims, ReduceOp.sum);
    ctx.keptShape = r.shape;
    return keepdim ? r : reshapeOwned(r, dropDims(x.shape, dims));
  },
  backward(ctx, dy) {
    return [expand(reshape(dy, ctx.keptShape as number[]), ctx.inShape as number[]).contiguous()];
  },
});

const meanOp = defineOp({
  name: "mean",
  forward(ctx, x: Tensor, dims: number[], keepdim: boolean) {
    ctx.inShape = x.shape;
    const r = reduceDims(x, dims, ReduceOp.mean);
    ctx.keptShape = r.shape;
    ctx.count = numelOf(dims.map((d) => x.shape[d]));
    return keepdim ? r : reshapeOwned(r, dropDims(x.shape, dims));
  },
  backward(ctx, dy) {
    const g = expand(reshape(dy, ctx.keptShape as number[]), ctx.inShape as number[]);
    return [div(g, ctx.count as number)];
  },
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
    forward(ctx, x: Tensor, dims: number[], keepdim: boolean) {
      if (x.numel === 0) throw new RangeError(`[${name}] cannot reduce an empty tensor`);
      const r = reduceDims(x, dims, code);
      ctx.keptShape = r.shape;
      ctx.save(x, r);
      return keepdim ? r.alias() : new Tensor(r.storage, dropDims(x.shape, dims));
    },
    backward(ctx, dy) {
      // Gradient flows to every position equal to the extremum, split evenly among ties (amax).
      const [x, r] = ctx.saved;
      const mask = eq(x, r);
      const count = sumOp(mask, ctx.keptShape ? (ctx.keptShape as number[]).map((s, i) => (s === 1 && x.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0) : [], true);
      const g = div(reshape(dy, ctx.keptShape as number[]), count);
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

