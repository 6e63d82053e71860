/** Factory functions: tensor, zeros, ones, full, randn, rand, arange (PyTorch names). */
import { DTYPE_CODE, numberToBf16, parseDtype, typedArrayConstructor } from "../dtype.js";
import { kernels } from "../backend.js";
import { reserve } from "../random.js";
import { Tensor, checkShape, numelOf } from "../tensor.js";
function inferNestedShape(data) {
    const shape = [];
    let cur = data;
    while (Array.isArray(cur)) {
        shape.push(cur.length);
        cur = cur[0];
        if (cur === undefined)
            break;
    }
    return shape;
}
function flattenNested(data, shape, depth, out) {
    if (depth === shape.length) {
        if (typeof data !== "number" && typeof data !== "boolean") {
            throw new TypeError(`[tensor] expected a number at depth ${depth}, got ${Array.isArray(data) ? "an array" : typeof data}`);
        }
        out.push(Number(data));
        return;
    }
    if (!Array.isArray(data) || data.length !== shape[depth]) {
        throw new RangeError(`[tensor] ragged nested array: expected ${shape[depth]} items at depth ${depth}`);
    }
    for (const d of data)
        flattenNested(d, shape, depth + 1, out);
}
function finish(t, opts) {
    if (opts?.requires_grad)
        t.setRequiresGrad(true);
    return t;
}
function resolveDtype(opts, fallback) {
    return opts?.dtype ? parseDtype(opts.dtype) : fallback;
}
/**
 * A tensor from nested arrays or a typed array (copied). Integer typed arrays default to
 * int32, everything else to float32.
 */
export function tensor(data, opts) {
    let values;
    let shape;
    let fallback = "float32";
    if (ArrayBuffer.isView(data)) {
        values = data;
        shape = opts?.shape ? [...opts.shape] : [values.length];
        if (data instanceof Int32Array)
            fallback = "int32";
        else if (data instanceof Uint8Array)
            fallback = "uint8";
    }
    else if (typeof data === "number" || typeof data === "boolean") {
        values = [Number(data)];
        shape = opts?.shape ? [...opts.shape] : [];
    }
    else {
        const arr = data;
        const s = inferNestedShape(arr);
        const flat = [];
        flattenNested(arr, s, 0, flat);
        values = flat;
        shape = opts?.shape ? [...opts.shape] : s;
    }
    checkShape(shape, "tensor");
    if (numelOf(shape) !== values.length) {
        throw new RangeError(`[tensor] ${values.length} values cannot have shape [${shape.join(", ")}]`);
    }
    const dtype = resolveDtype(opts, fallback);
    const out = Tensor.empty(shape, dtype);
    const dst = out.data;
    if (dtype === "bfloat16") {
        for (let i = 0; i < values.length; i++)
            dst[i] = numberToBf16(values[i]);
    }
    else if (dtype === "float16") {
        const tmp = Float32Array.from(values);
        kernels().cast(dst, DTYPE_CODE.float16, tmp, DTYPE_CODE.float32, tmp.length);
    }
    else {
        dst.set(values);
    }
    return finish(out, opts);
}
export function full(shape, value, opts) {
    const dtype = resolveDtype(opts, "float32");
    const out = Tensor.empty(shape, dtype);
    if (dtype === "float32")
        kernels().fill(out.f32(), value, out.numel);
    else if (dtype === "bfloat16")
        out.data.fill(numberToBf16(value));
    else if (dtype === "float16") {
        const one = new Uint16Array(1);
        kernels().cast(one, DTYPE_CODE.float16, Float32Array.of(value), DTYPE_CODE.float32, 1);
        out.data.fill(one[0]);
    }
    else
        out.data.fill(value);
    return finish(out, opts);
}
export function zeros(shape, opts) {
    return full(shape, 0, opts);
}
export function ones(shape, opts) {
    return full(shape, 1, opts);
}
export function zerosLike(t, opts) {
    return full(t.shape, 0, { dtype: t.dtype, ...opts });
}
export function onesLike(t, opts) {
    return full(t.shape, 1, { dtype: t.dtype, ...opts });
}
export function empty(shape, opts) {
    return finish(Tensor.empty(shape, resolveDtype(opts, "float32")), opts);
}
/** Standard normal samples from the global generator (manualSeed). */
export function randn(shape, opts) {
    const out = Tensor.empty(shape, "float32");
    const { seed, offset } = reserve(out.numel);
    kernels().randomNormal(out.f32(), out.numel, seed, offset, opts?.mean ?? 0, opts?.std ?? 1);
    return finish(out, opts);
}
/** Uniform samples in [low, high) (default [0, 1)). */
export function rand(shape, opts) {
    const out = Tensor.empty(shape, "float32");
    const { seed, offset } = reserve(out.numel);
    kernels().randomUniform(out.f32(), out.numel, seed, offset, opts?.low ?? 0, opts?.high ?? 1);
    return finish(out, opts);
}
/** arange(end) or arange(start, end, step); int32 unless a dtype or a fractional value says otherwise. */
export function arange(start, end, step = 1, opts) {
    if (end === undefined) {
        end = start;
        start = 0;
    }
    if (step === 0)
        throw new RangeError("[arange] step must not be zero");
    const n = Math.max(0, Math.ceil((end - start) / step));
    const integral = Number.isInteger(start) && Number.isInteger(step);
    const dtype = resolveDtype(opts, integral ? "int32" : "float32");
    const Ctor = typedArrayConstructor(dtype);
    const values = new Ctor(n);
    for (let i = 0; i < n; i++)
        values[i] = start + i * step;
    return tensor(values, { dtype, shape: [n], requires_grad: opts?.requires_grad });
}
//# sourceMappingURL=creation.js.map