/**
 * Tensor storage and the buffer cache.
 *
 * A Storage is one typed array shared by a tensor and its views; `refs` counts the live
 * tensors that view it. When the last one is freed, the ArrayBuffer goes back to the
 * cache, keyed by its (rounded) byte size, and the next allocation of that size reuses it
 * instead of asking V8 for fresh zeroed memory. Pooled buffers are NOT zeroed: every
 * kernel overwrites its output, and zeros() fills explicitly.
 */
import { type AnyTypedArray, type DType } from "./dtype.js";
export declare class Storage {
    /** null once freed: reading it then throws instead of returning reused memory. */
    private array;
    refs: number;
    readonly dtype: DType;
    readonly length: number;
    private readonly pooled;
    constructor(dtype: DType, length: number, array?: AnyTypedArray);
    get freed(): boolean;
    get data(): AnyTypedArray;
    release(): void;
}
export declare class BufferCache {
    private free;
    cachedBytes: number;
    liveBytes: number;
    /** Past this many cached bytes, released buffers are dropped for the GC instead. */
    limitBytes: number;
    acquire(bytes: number): ArrayBuffer;
    release(buf: ArrayBuffer): void;
    /** Drops every cached buffer (they become garbage for V8). */
    clear(): void;
}
export declare const bufferCache: BufferCache;
