/** Shape and layout helpers shared by the ops. */
import { Tensor, sameShape } from "../tensor.js";
export { sameShape };
/** x itself when contiguous, else a contiguous copy (the caller disposes a copy it does not keep). */
export function asContiguous(x) {
    return x.isContiguous() ? x : x.contiguousCopy();
}
/** A contiguous tensor the op owns, reshaped: the view replaces it (no copy). */
export function reshapeOwned(t, shape) {
    const v = new Tensor(t.storage, shape);
    t.dispose();
    return v;
}
/** Normalises a possibly negative dim; errors name the op and the shape. */
export function normDim(dim, ndim, op) {
    const d = dim < 0 ? dim + ndim : dim;
    if (!Number.isInteger(dim) || d < 0 || d >= Math.max(ndim, 1)) {
        throw new RangeError(`[${op}] dim ${dim} is out of range for a tensor with ${ndim} dimensions`);
    }
    return d;
}
/** NumPy broadcasting of two shapes. */
export function broadcastShapes(a, b, op) {
    const n = Math.max(a.length, b.length);
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
        const da = a[a.length - n + i] ?? 1;
        const db = b[b.length - n + i] ?? 1;
        if (da !== db && da !== 1 && db !== 1) {
            throw new RangeError(`[${op}] shapes [${a.join(", ")}] and [${b.join(", ")}] cannot be broadcast together (dim ${i}: ${da} vs ${db})`);
        }
        out[i] = da === 1 ? db : da;
    }
    return out;
}
/** Strides that read a tensor of (shape, strides) as if it had `target` shape (0 = broadcast). */
export function broadcastStrides(shape, strides, target) {
    const n = target.length;
    const out = new Array(n).fill(0);
    for (let i = 0; i < shape.length; i++) {
        const ti = n - shape.length + i;
        out[ti] = shape[i] === 1 && target[ti] !== 1 ? 0 : strides[i];
    }
    return out;
}
/** Resolves one -1 in a requested shape. */
export function inferShape(requested, numel, op) {
    const out = [...requested];
    const neg = out.indexOf(-1);
    let known = 1;
    out.forEach((d, i) => {
        if (i !== neg)
            known *= d;
    });
    if (neg >= 0) {
        if (out.lastIndexOf(-1) !== neg)
            throw new RangeError(`[${op}] only one dimension can be -1, got [${requested.join(", ")}]`);
        if (known === 0 || numel % known !== 0) {
            throw new RangeError(`[${op}] cannot reshape ${numel} elements into [${requested.join(", ")}]`);
        }
        out[neg] = numel / known;
    }
    if (out.some((d) => !Number.isInteger(d) || d < 0) || out.reduce((p, d) => p * d, 1) !== numel) {
        throw new RangeError(`[${op}] cannot reshape ${numel} elements into [${requested.join(", ")}]`);
    }
    return out;
}
//# sourceMappingURL=util.js.map