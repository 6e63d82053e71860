/**
 * Tensor: a shape, strides and an offset over a shared Storage, plus autograd state.
 *
 * Views (reshape, transpose, slice) share storage; `Storage.refs` counts the live tensors
 * viewing it. Memory is freed explicitly: by the scope that created the tensor (scope.ts),
 * or by dispose(). Parameters and optimizer state are `persistent` and never freed by a
 * scope. Op methods (a.add(b), a.matmul(b), ...) are attached in methods.ts.
 */
import { type AnyTypedArray, type DType } from "./dtype.js";
import { Storage } from "./storage.js";
import type { GraphNode } from "./autograd.js";
export type Shape = readonly number[];
export declare function numelOf(shape: Shape): number;
export declare function contiguousStrides(shape: Shape): number[];
export declare function checkShape(shape: Shape, where: string): void;
export declare function sameShape(a: Shape, b: Shape): boolean;
export declare class Tensor {
    readonly id: number;
    readonly shape: number[];
    readonly strides: number[];
    readonly offset: number;
    readonly dtype: DType;
    readonly storage: Storage;
    requiresGrad: boolean;
    grad: Tensor | null;
    gradFn: GraphNode | null;
    /** Never freed by a scope (parameters, optimizer state, kept values). */
    persistent: boolean;
    /** How many graph nodes saved this tensor for backward. */
    savedCount: number;
    private scopeReleased;
    private disposed;
    /** Internal: use the factory functions (tensor, zeros, empty, ...) instead. */
    constructor(storage: Storage, shape: Shape, strides?: Shape, offset?: number);
    /** An uninitialised contiguous tensor (memory may be reused: every element must be written). */
    static empty(shape: Shape, dtype?: DType): Tensor;
    /** Wraps an existing typed array without copying. */
    static fromTypedArray(data: AnyTypedArray, shape: Shape, dtype?: DType): Tensor;
    static onesLike(t: Tensor): Tensor;
    get numel(): number;
    get ndim(): number;
    get isFreed(): boolean;
    get storageRefs(): number;
    get requires_grad(): boolean;
    set requires_grad(v: boolean);
    /** PyTorch's requires_grad_(): only leaves can be switched. Returns this. */
    setRequiresGrad(v?: boolean): this;
    isContiguous(): boolean;
    private checkAlive;
    /** The whole backing typed array (views: read through strides and offset). */
    get buffer(): AnyTypedArray;
    /** This tensor's elements as a typed array view (no copy); the tensor must be contiguous. */
    get data(): AnyTypedArray;
    /** Float32 view of a contiguous float32 tensor (kernels' input). */
    f32(): Float32Array;
    i32(): Int32Array;
    /** A new tensor object over the same memory (no autograd history). */
    alias(): Tensor;
    /** Same values, cut from the graph (shares memory, like torch's detach). */
    detach(): Tensor;
    /** A contiguous copy, outside autograd (the differentiable copy is `clone()`). */
    contiguousCopy(): Tensor;
    /** this += other (same shape, this contiguous float32), outside autograd. */
    addInPlace(other: Tensor): void;
    /** Marks this tensor persistent: no scope will free it (dispose() still does). */
    keep(): this;
    /** Frees this tensor now (its memory is reused once no other view holds it). */
    dispose(): void;
    /**
     * Drops its owner's hold (a scope that ends without returning it, or the holder of a kept
     * tensor replacing it): frees it now, or, while a graph node still saves it for backward,
     * when that node is done. Unlike dispose(), a pending backward() can still read it.
     */
    release(): void;
    /** Called when a graph node that saved this tensor is done with it. */
    unsave(): void;
    /** Element i (row-major logical index) as a number. */
    private readAt;
    /** The value of a one-element tensor. */
    item(): number;
    /** A contiguous float32 copy of the values (any dtype, any layout). */
    toFloat32Array(): Float32Array;
    /** Values as nested arrays (like torch's tolist()). */
    tolist(): unknown;
    toString(): string;
}
