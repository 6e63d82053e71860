/** Joining and splitting: cat, stack, split, chunk. */
import { defineOp } from "../autograd.js";
import { Tensor, numelOf } from "../tensor.js";
import { normDim } from "./util.js";
import { narrow, unsqueeze } from "./views.js";

const catOp = defineOp({
  name: "cat",
  forward(_ctx, dim: number, ...parts: Tensor[]) {
    const first = parts[0];
    const shape = [...first.shape];
    shape[dim] = parts.reduce((s, p) => s + p.shape[dim], 0);
    const out = Tensor.empty(shape, first.dtype);
    const outer = numelOf(shape.slice(0, dim));
    const inner = numelOf(shape.slice(dim + 1));
    const total = shape[dim];
    // Each part is an (outer, size, inner) block: its rows land at `start` along dim.
    const dst = out.data;
    let start = 0;
    for (const p of parts) {
      const size = p.shape[dim];
      if (size > 0 && outer > 0 && inner > 0) {
        const s = (p.isContiguous() ? p : p.contiguousCopy()).data;
        for (let o = 0; o < outer; o++) {
          const from = s.subarray(o * size * inner, (o + 1) * size * inner);
          dst.set(from as never, (o * total + start) * inner);
        }
      }
      start += size;
    }
    return { out, saved: { dim, sizes: parts.map((p) => p.shape[dim]) } };
  },
  backward({ dim, sizes }, dy, { needsInputGrad: need }) {
    const grads: (Tensor | null)[] = [];
    let start = 0;
    for (let i = 0; i < sizes.length; i++) {
      grads.push(need[i] ? narrow(dy, dim, start, sizes[i]).contiguous() : null);
      start += sizes[i];
    }
    return grads;
  },
});

/** Concatenates tensors along dim (torch.cat). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("[cat] expects a non-empty list of tensors");
  const first = tensors[0];
  const d = normDim(dim, first.ndim, "cat");
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.dtype !== first.dtype || t.shape.some((s, k) => k !== d && s !== first.shape[k])) {
      throw new RangeError(`[cat] tensor ${i} is [${t.shape.join(", ")}] ${t.dtype} but tensor 0 is [${first.shape.join(", ")}] ${first.dtype}; all dims except ${d} must match`);
    }
  });
  if (tensors.length === 1) return tensors[0];
  return catOp(d, ...tensors);
}

/** Stacks same-shape tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new RangeError("[stack] expects a non-empty list of tensors");
  const d = normDim(dim, tensors[0].ndim + 1, "stack");
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** Splits into pieces of `size` along dim (the last may be smaller), or into the given sizes. */
export function split(x: Tensor, size: number | readonly number[], dim = 0): Tensor[] {
  const d = normDim(dim, x.ndim, "split");
  const total = x.shape[d];
  const sizes: number[] = typeof size === "number" ? [] : [...size];
  if (typeof size === "number") {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`[split] size must be a positive integer, got ${size}`);
    for (let s = 0; s < total; s += size) sizes.push(Math.min(size, total - s));
  } else if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((a, b) => a + b, 0) !== total) {
    throw new RangeError(`[split] sizes [${sizes.join(", ")}] must be non-negative integers adding up to ${total}, the size of dim ${d}`);
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, start, s));
    start += s;
  }
  return out;
}

/** Splits into `chunks` nearly equal pieces along dim. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normDim(dim, x.ndim, "chunk");
  if (!Number.isInteger(chunks) || chunks < 1) throw new RangeError(`[chunk] chunks must be a positive integer, got ${chunks}`);
  // torch.chunk of an empty dim gives the one empty tensor.
  if (x.shape[d] === 0) return [x];
  return split(x, Math.ceil(x.shape[d] / chunks), d);
}
