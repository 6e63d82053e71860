/**
 * Tensor storage and the buffer cache.
 *
 * A Storage is one typed array shared by a tensor and its views; `refs` counts the live
 * tensors that view it. When the last one is freed, the ArrayBuffer goes back to the
 * cache, keyed by its (rounded) byte size, and the next allocation of that size reuses it
 * instead of asking V8 for fresh zeroed memory. Pooled buffers are NOT zeroed: every
 * kernel overwrites its output, and zeros() fills explicitly.
 */
import { DTYPE_BYTES, typedArrayConstructor } from "./dtype.js";
export class Storage {
    /** null once freed: reading it then throws instead of returning reused memory. */
    array;
    refs = 0;
    dtype;
    length;
    pooled;
    constructor(dtype, length, array) {
        this.dtype = dtype;
        this.length = length;
        if (array) {
            this.array = array;
            this.pooled = null;
        }
        else {
            const bytes = length * DTYPE_BYTES[dtype];
            this.pooled = bufferCache.acquire(bytes);
            this.array = new (typedArrayConstructor(dtype))(this.pooled, 0, length);
        }
    }
    get freed() {
        return this.array === null;
    }
    get data() {
        if (this.array === null) {
            throw new Error("[tensor] use after free: this tensor's memory was released (by the end of the scope that " +
                "created it, or by dispose()); return it from the scope, or call .keep(), to use it later");
        }
        return this.array;
    }
    release() {
        if (this.array === null)
            return;
        this.array = null;
        if (this.pooled)
            bufferCache.release(this.pooled);
    }
}
/** Size classes: powers of two split in 4 steps, so dynamic shapes still hit the cache. */
function sizeClass(bytes) {
    if (bytes <= 256)
        return 256;
    const p = 2 ** Math.floor(Math.log2(bytes));
    const step = p / 4;
    return Math.ceil(bytes / step) * step;
}
export class BufferCache {
    free = new Map();
    cachedBytes = 0;
    liveBytes = 0;
    /** Past this many cached bytes, released buffers are dropped for the GC instead. */
    limitBytes = Number(process.env.TUNELAB_CACHE_BYTES ?? 4 * 1024 ** 3);
    acquire(bytes) {
        const cls = sizeClass(bytes);
        const list = this.free.get(cls);
        const buf = list?.pop();
        this.liveBytes += cls;
        if (buf) {
            this.cachedBytes -= cls;
            return buf;
        }
        return new ArrayBuffer(cls);
    }
    release(buf) {
        const cls = buf.byteLength;
        this.liveBytes -= cls;
        if (this.cachedBytes + cls > this.limitBytes)
            return;
        let list = this.free.get(cls);
        if (!list)
            this.free.set(cls, (list = []));
        list.push(buf);
        this.cachedBytes += cls;
    }
    /** Drops every cached buffer (they become garbage for V8). */
    clear() {
        this.free.clear();
        this.cachedBytes = 0;
    }
}
export const bufferCache = new BufferCache();
//# sourceMappingURL=storage.js.map