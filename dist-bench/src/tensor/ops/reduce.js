/** Reductions: sum, mean, amax/amin, max/min along a dim, argmax; sumToShape for broadcasting. */
import { defineOp } from "../autograd.js";
import { ReduceOp } from "../native.js";
import { kernels } from "../backend.js";
import { Tensor, numelOf } from "../tensor.js";
import { normDim, reshapeOwned, sameShape } from "./util.js";
import { expand, reshape } from "./views.js";
import { mul, eq, div } from "./binary.js";
function asContiguousF32(x, op) {
    if (x.dtype !== "float32")
        throw new TypeError(`[${op}] expects float32, got ${x.dtype}; convert with .float()`);
    return x.isContiguous() ? x : x.contiguousCopy();
}
/** Reduces one dim of a contiguous tensor (keepdim shape). */
function reduceDim(x, dim, op) {
    const c = asContiguousF32(x, "reduce");
    const outer = numelOf(x.shape.slice(0, dim));
    const R = x.shape[dim];
    const inner = numelOf(x.shape.slice(dim + 1));
    const shape = [...x.shape];
    shape[dim] = 1;
    const out = Tensor.empty(shape);
    if (out.numel > 0)
        kernels().reduce(op, out.f32(), c.f32(), outer, R, inner);
    if (c !== x)
        c.dispose();
    return out;
}
/** Reduces the listed dims (keepdim shape), one kernel pass per dim. */
function reduceDims(x, dims, op) {
    let cur = x;
    for (const d of [...dims].sort((a, b) => a - b)) {
        const next = reduceDim(cur, d, op);
        if (cur !== x)
            cur.dispose();
        cur = next;
    }
    return cur === x ? x.contiguousCopy() : cur;
}
function resolveDims(x, dim, op) {
    if (dim === undefined)
        return x.shape.map((_, i) => i);
    const list = typeof dim === "number" ? [dim] : [...dim];
    return [...new Set(list.map((d) => normDim(d, x.ndim, op)))];
}
function dropDims(shape, dims) {
    return shape.filter((_, i) => !dims.includes(i));
}
const sumOp = defineOp({
    name: "sum",
    forward(ctx, x, dims, keepdim) {
        ctx.inShape = x.shape;
        const r = reduceDims(x, dims, ReduceOp.sum);
        ctx.keptShape = r.shape;
        return keepdim ? r : reshapeOwned(r, dropDims(x.shape, dims));
    },
    backward(ctx, dy) {
        return [expand(reshape(dy, ctx.keptShape), ctx.inShape).contiguous()];
    },
});
const meanOp = defineOp({
    name: "mean",
    forward(ctx, x, dims, keepdim) {
        ctx.inShape = x.shape;
        const r = reduceDims(x, dims, ReduceOp.mean);
        ctx.keptShape = r.shape;
        ctx.count = numelOf(dims.map((d) => x.shape[d]));
        return keepdim ? r : reshapeOwned(r, dropDims(x.shape, dims));
    },
    backward(ctx, dy) {
        const g = expand(reshape(dy, ctx.keptShape), ctx.inShape);
        return [div(g, ctx.count)];
    },
});
/** Sum over dim(s) (all when omitted), like torch.sum. */
export function sum(x, dim, keepdim = false) {
    return sumOp(x, resolveDims(x, dim, "sum"), keepdim);
}
export function mean(x, dim, keepdim = false) {
    return meanOp(x, resolveDims(x, dim, "mean"), keepdim);
}
function extremumOp(name, code) {
    return defineOp({
        name,
        forward(ctx, x, dims, keepdim) {
            if (x.numel === 0)
                throw new RangeError(`[${name}] cannot reduce an empty tensor`);
            const r = reduceDims(x, dims, code);
            ctx.keptShape = r.shape;
            ctx.save(x, r);
            return keepdim ? r.alias() : new Tensor(r.storage, dropDims(x.shape, dims));
        },
        backward(ctx, dy) {
            // Gradient flows to every position equal to the extremum, split evenly among ties (amax).
            const [x, r] = ctx.saved;
            const mask = eq(x, r);
            const count = sumOp(mask, ctx.keptShape ? ctx.keptShape.map((s, i) => (s === 1 && x.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0) : [], true);
            const g = div(reshape(dy, ctx.keptShape), count);
            return [mul(mask, g)];
        },
    });
}
const amaxOp = extremumOp("amax", ReduceOp.max);
const aminOp = extremumOp("amin", ReduceOp.min);
export function amax(x, dim, keepdim = false) {
    return amaxOp(x, resolveDims(x, dim, "amax"), keepdim);
}
export function amin(x, dim, keepdim = false) {
    return aminOp(x, resolveDims(x, dim, "amin"), keepdim);
}
/** Index of the first maximum along dim (int32); over the flattened tensor when dim is omitted. */
export function argmax(x, dim, keepdim = false) {
    const src = dim === undefined ? reshape(x, [x.numel]) : x;
    const d = dim === undefined ? 0 : normDim(dim, x.ndim, "argmax");
    if (src.shape[d] === 0)
        throw new RangeError("[argmax] cannot take argmax of an empty dimension");
    const c = asContiguousF32(src, "argmax");
    const shape = [...src.shape];
    shape[d] = 1;
    const out = Tensor.empty(keepdim ? shape : dropDims(src.shape, [d]), "int32");
    kernels().argmax(out.i32(), c.f32(), numelOf(src.shape.slice(0, d)), src.shape[d], numelOf(src.shape.slice(d + 1)));
    if (c !== src)
        c.dispose();
    return out;
}
/** Sums a broadcast gradient back to `shape` (the inverse of broadcasting). */
export function sumToShape(g, shape) {
    if (sameShape(g.shape, shape))
        return g;
    const lead = g.ndim - shape.length;
    const dims = [];
    for (let i = 0; i < g.ndim; i++) {
        if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1))
            dims.push(i);
    }
    const r = reduceDims(g, dims, ReduceOp.sum);
    return reshapeOwned(r, [...shape]);
}
//# sourceMappingURL=reduce.js.map