/**
 * Tensor: a shape, strides and an offset over a shared Storage, plus autograd state.
 *
 * Views (reshape, transpose, slice) share storage; `Storage.refs` counts the live tensors
 * viewing it. Memory is freed explicitly: by the scope that created the tensor (scope.ts),
 * or by dispose(). Parameters and optimizer state are `persistent` and never freed by a
 * scope. Op methods (a.add(b), a.matmul(b), ...) are attached in methods.ts.
 */
import { DTYPE_CODE, bf16ToNumber, f16ToNumber } from "./dtype.js";
import { Storage } from "./storage.js";
import { registerTensorClass, track } from "./scope.js";
import { BinaryOp } from "./native.js";
import { kernels } from "./backend.js";
export function numelOf(shape) {
    let n = 1;
    for (const d of shape)
        n *= d;
    return n;
}
export function contiguousStrides(shape) {
    const strides = new Array(shape.length);
    let s = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
        strides[i] = s;
        s *= shape[i];
    }
    return strides;
}
export function checkShape(shape, where) {
    for (const d of shape) {
        if (!Number.isInteger(d) || d < 0) {
            throw new RangeError(`[${where}] invalid shape [${shape.join(", ")}]: dimensions must be non-negative integers`);
        }
    }
}
export function sameShape(a, b) {
    return a.length === b.length && a.every((d, i) => d === b[i]);
}
let nextId = 1;
export class Tensor {
    id = nextId++;
    shape;
    strides;
    offset;
    dtype;
    storage;
    requiresGrad = false;
    grad = null;
    gradFn = null;
    /** Never freed by a scope (parameters, optimizer state, kept values). */
    persistent = false;
    /** How many graph nodes saved this tensor for backward. */
    savedCount = 0;
    scopeReleased = false;
    disposed = false;
    /** Internal: use the factory functions (tensor, zeros, empty, ...) instead. */
    constructor(storage, shape, strides, offset = 0) {
        this.storage = storage;
        this.dtype = storage.dtype;
        this.shape = [...shape];
        this.strides = strides ? [...strides] : contiguousStrides(shape);
        this.offset = offset;
        storage.refs++;
        track(this);
    }
    /** An uninitialised contiguous tensor (memory may be reused: every element must be written). */
    static empty(shape, dtype = "float32") {
        checkShape(shape, "empty");
        return new Tensor(new Storage(dtype, numelOf(shape)), shape);
    }
    /** Wraps an existing typed array without copying. */
    static fromTypedArray(data, shape, dtype) {
        checkShape(shape, "tensor");
        const d = dtype ?? (data instanceof Float32Array ? "float32" : data instanceof Int32Array ? "int32" : data instanceof Uint8Array ? "uint8" : "bfloat16");
        if (numelOf(shape) !== data.length) {
            throw new RangeError(`[tensor] ${data.length} values cannot have shape [${shape.join(", ")}] (${numelOf(shape)} elements)`);
        }
        return new Tensor(new Storage(d, data.length, data), shape);
    }
    static onesLike(t) {
        const out = Tensor.empty(t.shape, "float32");
        kernels().fill(out.f32(), 1, out.numel);
        return out;
    }
    get numel() {
        return numelOf(this.shape);
    }
    get ndim() {
        return this.shape.length;
    }
    get isFreed() {
        return this.disposed || this.storage.freed;
    }
    get storageRefs() {
        return this.storage.refs;
    }
    get requires_grad() {
        return this.requiresGrad;
    }
    set requires_grad(v) {
        this.setRequiresGrad(v);
    }
    /** PyTorch's requires_grad_(): only leaves can be switched. Returns this. */
    setRequiresGrad(v = true) {
        if (this.gradFn && !v) {
            throw new Error("[tensor] requiresGrad can only be turned off on leaf tensors; use detach()");
        }
        if (v && this.dtype !== "float32") {
            throw new TypeError(`[tensor] only float32 tensors can require grad, this one is ${this.dtype}; convert with .float()`);
        }
        this.requiresGrad = v;
        return this;
    }
    isContiguous() {
        let s = 1;
        for (let i = this.shape.length - 1; i >= 0; i--) {
            if (this.shape[i] !== 1 && this.strides[i] !== s)
                return false;
            s *= this.shape[i];
        }
        return true;
    }
    checkAlive() {
        if (this.disposed) {
            throw new Error("[tensor] use after free: this tensor was released (by the end of the scope that created it, " +
                "or by dispose()); return it from the scope, or call .keep(), to use it later");
        }
    }
    /** The whole backing typed array (views: read through strides and offset). */
    get buffer() {
        this.checkAlive();
        return this.storage.data;
    }
    /** This tensor's elements as a typed array view (no copy); the tensor must be contiguous. */
    get data() {
        const buf = this.buffer;
        if (!this.isContiguous()) {
            throw new Error("[tensor] .data needs a contiguous tensor; call .contiguous() first (or toFloat32Array() for a copy)");
        }
        return this.offset === 0 && buf.length === this.numel ? buf : buf.subarray(this.offset, this.offset + this.numel);
    }
    /** Float32 view of a contiguous float32 tensor (kernels' input). */
    f32() {
        if (this.dtype !== "float32")
            throw new TypeError(`[tensor] expected a float32 tensor but got ${this.dtype}`);
        return this.data;
    }
    i32() {
        if (this.dtype !== "int32")
            throw new TypeError(`[tensor] expected an int32 tensor but got ${this.dtype}`);
        return this.data;
    }
    /** A new tensor object over the same memory (no autograd history). */
    alias() {
        this.checkAlive();
        return new Tensor(this.storage, this.shape, this.strides, this.offset);
    }
    /** Same values, cut from the graph (shares memory, like torch's detach). */
    detach() {
        return this.alias();
    }
    /** A contiguous copy, outside autograd (the differentiable copy is `clone()`). */
    contiguousCopy() {
        this.checkAlive();
        const out = Tensor.empty(this.shape, this.dtype);
        const elem = this.dtype === "float32" || this.dtype === "int32" ? 4 : this.dtype === "uint8" ? 1 : 2;
        if (out.numel > 0) {
            kernels().copyStrided(out.data, this.storage.data.subarray(this.offset), this.shape, this.strides, elem);
        }
        return out;
    }
    /** this += other (same shape, this contiguous float32), outside autograd. */
    addInPlace(other) {
        if (other.dtype !== "float32" || this.dtype !== "float32" || !sameShape(this.shape, other.shape)) {
            throw new TypeError(`[tensor] addInPlace adds a float32 tensor of the same shape: this is ${this.dtype} [${this.shape.join(", ")}], other is ${other.dtype} [${other.shape.join(", ")}]`);
        }
        const out = this.f32();
        kernels().binaryForward(BinaryOp.add, out, this.shape, out, contiguousStrides(this.shape), other.buffer.subarray(other.offset), other.strides);
    }
    /** Marks this tensor persistent: no scope will free it (dispose() still does). */
    keep() {
        this.checkAlive();
        this.persistent = true;
        return this;
    }
    /** Frees this tensor now (its memory is reused once no other view holds it). */
    dispose() {
        if (this.disposed)
            return;
        this.disposed = true;
        if (--this.storage.refs === 0)
            this.storage.release();
        if (this.grad) {
            this.grad.dispose();
            this.grad = null;
        }
    }
    /**
     * Drops its owner's hold (a scope that ends without returning it, or the holder of a kept
     * tensor replacing it): frees it now, or, while a graph node still saves it for backward,
     * when that node is done. Unlike dispose(), a pending backward() can still read it.
     */
    release() {
        this.persistent = false;
        this.scopeReleased = true;
        if (this.savedCount === 0)
            this.dispose();
    }
    /** Called when a graph node that saved this tensor is done with it. */
    unsave() {
        this.savedCount--;
        if (this.savedCount === 0 && this.scopeReleased)
            this.dispose();
    }
    /** Element i (row-major logical index) as a number. */
    readAt(flat) {
        let pos = this.offset;
        for (let d = this.shape.length - 1; d >= 0; d--) {
            const size = this.shape[d];
            pos += (flat % size) * this.strides[d];
            flat = Math.floor(flat / size);
        }
        const raw = this.buffer[pos];
        if (this.dtype === "bfloat16")
            return bf16ToNumber(raw);
        if (this.dtype === "float16")
            return f16ToNumber(raw);
        return raw;
    }
    /** The value of a one-element tensor. */
    item() {
        if (this.numel !== 1) {
            throw new Error(`[item] only one-element tensors can be converted to a number, this one has shape [${this.shape.join(", ")}]`);
        }
        return this.readAt(0);
    }
    /** A contiguous float32 copy of the values (any dtype, any layout). */
    toFloat32Array() {
        this.checkAlive();
        if (this.dtype === "float32" && this.isContiguous())
            return Float32Array.from(this.data);
        const out = new Float32Array(this.numel);
        if (this.dtype === "bfloat16" || this.dtype === "float16" || this.dtype === "float32") {
            const c = this.isContiguous() ? this : this.contiguousCopy();
            if (this.dtype === "float32")
                out.set(c.data);
            else
                kernels().cast(out, DTYPE_CODE.float32, c.data, DTYPE_CODE[this.dtype], this.numel);
            if (c !== this)
                c.dispose();
            return out;
        }
        for (let i = 0; i < out.length; i++)
            out[i] = this.readAt(i);
        return out;
    }
    /** Values as nested arrays (like torch's tolist()). */
    tolist() {
        const flat = this.dtype === "int32" || this.dtype === "uint8" ? Array.from({ length: this.numel }, (_, i) => this.readAt(i)) : Array.from(this.toFloat32Array());
        if (this.ndim === 0)
            return flat[0];
        const build = (dim, start) => {
            const size = this.shape[dim];
            const inner = numelOf(this.shape.slice(dim + 1));
            const out = [];
            for (let i = 0; i < size; i++) {
                out.push(dim === this.ndim - 1 ? flat[start + i] : build(dim + 1, start + i * inner));
            }
            return out;
        };
        return build(0, 0);
    }
    toString() {
        const grad = this.gradFn ? `, grad_fn=${this.gradFn.def.name}` : this.requiresGrad ? ", requires_grad" : "";
        if (this.isFreed)
            return `Tensor(freed, shape=[${this.shape}], dtype=${this.dtype})`;
        const preview = this.numel <= 16 ? JSON.stringify(this.tolist()) : `[${Array.from(this.toFloat32Array().subarray(0, 8)).map((v) => +v.toPrecision(5)).join(", ")}, ...]`;
        return `Tensor(${preview}, shape=[${this.shape}], dtype=${this.dtype}${grad})`;
    }
    [Symbol.for("nodejs.util.inspect.custom")]() {
        return this.toString();
    }
}
registerTensorClass(Tensor);
//# sourceMappingURL=tensor.js.map