/**
 * Lookups by integer index: embedding (rows of a table), indexSelect (slices along a dim)
 * and gather (torch.gather). Indices are int32 and never differentiable; they are checked
 * in TypeScript so the kernels can trust them.
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor, contiguousStrides, numelOf } from "../tensor.js";
import { tensor, zeros } from "./creation.js";
import { normDim } from "./util.js";

type Nested = number | Nested[];

/** An int32 contiguous tensor from ids given as a tensor or nested arrays. */
export function asIndexTensor(ids: Tensor | Nested, op: string, name: string): Tensor {
  if (!(ids instanceof Tensor)) return tensor(ids as never, { dtype: "int32" });
  if (ids.dtype !== "int32") {
    throw new TypeError(`[${op}] ${name} must be an int32 tensor, got ${ids.dtype}; convert with .to("int32")`);
  }
  return ids.isContiguous() ? ids : ids.contiguousCopy();
}

/** Throws naming the first index outside [0, size). */
export function checkRange(idx: Int32Array, size: number, op: string, what: string, hint = "check the indices"): void {
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v < 0 || v >= size) {
      throw new RangeError(`[${op}] ${what} ${v} at position ${i} is out of range [0, ${size}); ${hint}`);
    }
  }
}

const embeddingOp = defineOp({
  name: "embedding",
  forward(_ctx, ids: Tensor, weight: Tensor, paddingIdx: number) {
    const [V, C] = weight.shape;
    const w = weight.isContiguous() ? weight : weight.contiguousCopy();
    const out = Tensor.empty([...ids.shape, C]);
    if (out.numel > 0) kernels().embeddingForward(out.f32(), ids.i32(), w.f32(), ids.numel, C, V);
    return { out, saved: { ids, V, C, paddingIdx } };
  },
  backward({ ids, V, C, paddingIdx }, dy) {
    const dw = Tensor.empty([V, C]);
    const g = dy.isContiguous() ? dy : dy.contiguousCopy();
    if (dw.numel > 0) kernels().embeddingBackward(dw.f32(), g.f32(), ids.i32(), ids.numel, C, V, paddingIdx);
    return [null, dw];
  },
});

/**
 * F.embedding: rows of weight (V, C) at ids (any shape, int32, or nested number arrays),
 * giving [...ids.shape, C]. The paddingIdx row (negative counts from V) gets no gradient.
 */
export function embedding(ids: Tensor | Nested, weight: Tensor, paddingIdx?: number | null): Tensor {
  if (weight.ndim !== 2) throw new RangeError(`[embedding] weight must be 2-D (V, C), got [${weight.shape.join(", ")}]`);
  if (weight.dtype !== "float32") throw new TypeError(`[embedding] weight must be float32, got ${weight.dtype}`);
  const V = weight.shape[0];
  let pad = -1;
  if (paddingIdx !== undefined && paddingIdx !== null) {
    pad = paddingIdx < 0 ? paddingIdx + V : paddingIdx;
    if (!Number.isInteger(paddingIdx) || pad < 0 || pad >= V) {
      throw new RangeError(`[embedding] paddingIdx ${paddingIdx} is out of range for ${V} embeddings`);
    }
  }
  const idx = asIndexTensor(ids, "embedding", "ids");
  checkRange(idx.i32(), V, "embedding", "id", `the table has ${V} rows: for token ids check the tokenizer's vocabulary against the model's; for position ids truncate inputs to the model's max_position_embeddings`);
  return embeddingOp(idx, weight, pad);
}

const indexSelectOp = defineOp({
  name: "index_select",
  forward(_ctx, x: Tensor, dim: number, index: Tensor) {
    const xc = x.isContiguous() ? x : x.contiguousCopy();
    const outer = numelOf(x.shape.slice(0, dim));
    const inner = numelOf(x.shape.slice(dim + 1));
    const shape = [...x.shape];
    shape[dim] = index.numel;
    const out = Tensor.empty(shape);
    if (out.numel > 0) kernels().indexSelectForward(out.f32(), xc.f32(), index.i32(), outer, x.shape[dim], inner, index.numel);
    return { out, saved: { index, inShape: x.shape, dim, outer, inner } };
  },
  backward({ index, inShape, dim, outer, inner }, dy) {
    const dx = Tensor.empty(inShape);
    const g = dy.isContiguous() ? dy : dy.contiguousCopy();
    if (dx.numel > 0) kernels().indexSelectBackward(dx.f32(), g.f32(), index.i32(), outer, inShape[dim], inner, index.numel);
    return [dx, null];
  },
});

/** torch.index_select: the slices of x at `index` (1-D int32) along dim. */
export function indexSelect(x: Tensor, dim: number, index: Tensor | number[]): Tensor {
  const d = normDim(dim, x.ndim, "index_select");
  if (x.dtype !== "float32") throw new TypeError(`[index_select] x must be float32, got ${x.dtype}`);
  const idx = asIndexTensor(index, "index_select", "index");
  if (idx.ndim > 1) throw new RangeError(`[index_select] index must be 1-D, got [${idx.shape.join(", ")}]`);
  checkRange(idx.i32(), x.shape[d], "index_select", "index");
  return indexSelectOp(x, d, idx);
}

/** For each element of index (contiguous order), the flat offset it reads in contiguous x. */
function gatherOffsets(xShape: number[], index: Tensor, dim: number): Int32Array {
  const xs = contiguousStrides(xShape);
  const ishape = index.shape;
  const idx = index.i32();
  const out = new Int32Array(idx.length);
  const coord = new Array<number>(ishape.length).fill(0);
  for (let i = 0; i < idx.length; i++) {
    let off = 0;
    for (let d = 0; d < ishape.length; d++) off += (d === dim ? idx[i] : coord[d]) * xs[d];
    out[i] = off;
    for (let d = ishape.length - 1; d >= 0; d--) {
      if (++coord[d] < ishape[d]) break;
      coord[d] = 0;
    }
  }
  return out;
}

const gatherOp = defineOp({
  name: "gather",
  forward(_ctx, x: Tensor, dim: number, index: Tensor) {
    const xc = x.isContiguous() ? x : x.contiguousCopy();
    const offsets = gatherOffsets(x.shape, index, dim);
    const out = Tensor.empty(index.shape);
    const src = xc.f32();
    const dst = out.f32();
    for (let i = 0; i < offsets.length; i++) dst[i] = src[offsets[i]];
    return { out, saved: { inShape: x.shape, offsets } };
  },
  backward({ inShape, offsets }, dy) {
    const dx = zeros(inShape);
    const g = dy.isContiguous() ? dy : dy.contiguousCopy();
    const src = g.f32();
    const dst = dx.f32();
    for (let i = 0; i < offsets.length; i++) dst[offsets[i]] += src[i];
    return [dx, null];
  },
});

/**
 * torch.gather: out[i][j][k] = x[i][index[i][j][k]][k] for dim 1 (likewise for any dim).
 * index has x's number of dims and is no larger than x outside `dim`; out has index's shape.
 */
export function gather(x: Tensor, dim: number, index: Tensor | Nested): Tensor {
  const d = normDim(dim, x.ndim, "gather");
  if (x.dtype !== "float32") throw new TypeError(`[gather] x must be float32, got ${x.dtype}`);
  const idx = asIndexTensor(index, "gather", "index");
  if (idx.ndim !== x.ndim || idx.shape.some((s, i) => i !== d && s > x.shape[i])) {
    throw new RangeError(
      `[gather] x is [${x.shape.join(", ")}] but index is [${idx.shape.join(", ")}]; index needs ${x.ndim} dims, each no larger than x's except dim ${d}`,
    );
  }
  checkRange(idx.i32(), x.shape[d], "gather", "index");
  return gatherOp(x, d, idx);
}
