/**
 * Tensor storage and the buffer cache.
 *
 * A Storage is one typed array shared by a tensor and its views; `refs` counts the live
 * tensors that view it. When the last one is freed, the ArrayBuffer goes back to the
 * cache, keyed by its (rounded) byte size, and the next allocation of that size reuses it
 * instead of asking for fresh zeroed memory. Pooled buffers are NOT zeroed: every
 * kernel overwrites its output, and zeros() fills explicitly.
 *
 * Buffers of PAGED_MIN_BYTES and more get pages of their own from the addon (an anonymous
 * mapping): when the cache lets one go, its pages return to the OS at once, instead of when
 * V8's collector gets round to the ArrayBuffer (which, for a few large buffers and a small
 * JS heap, can be never during a training run).
 */
import { type AnyTypedArray, type DType, DTYPE_BYTES, typedArrayConstructor } from "./dtype.js";
import { kernels } from "./backend.js";

/** Buffers this large (after rounding) are page-backed. */
export const PAGED_MIN_BYTES = 1 << 20;

export class Storage {
  /** null once freed: reading it then throws instead of returning reused memory. */
  private array: AnyTypedArray | null;
  refs = 0;
  readonly dtype: DType;
  readonly length: number;
  private readonly pooled: ArrayBuffer | null;

  constructor(dtype: DType, length: number, array?: AnyTypedArray) {
    this.dtype = dtype;
    this.length = length;
    if (array) {
      this.array = array;
      this.pooled = null;
    } else {
      const bytes = length * DTYPE_BYTES[dtype];
      this.pooled = bufferCache.acquire(bytes);
      this.array = new (typedArrayConstructor(dtype))(this.pooled, 0, length);
    }
  }

  get freed(): boolean {
    return this.array === null;
  }

  get data(): AnyTypedArray {
    if (this.array === null) {
      throw new Error(
        "[tensor] use after free: this tensor's memory was released (by the end of the scope that " +
          "created it, or by dispose()); return it from the scope, or call .keep(), to use it later",
      );
    }
    return this.array;
  }

  release(): void {
    if (this.array === null) return;
    this.array = null;
    if (this.pooled) bufferCache.release(this.pooled);
  }
}

/** How far past the peak of live bytes live plus cached bytes may go (see BufferCache). */
export const PEAK_SLACK = 1 / 16;
/** How much further, as a fraction of that peak, the cache may learn to grow (see BufferCache). */
export const MAX_LEARNED_SLACK = 1 / 4;
/** Evicted sizes remembered for learning: enough for the misses of a step or two. */
const GHOSTS_KEPT = 256;

/** Size classes: powers of two split in 4 steps, so dynamic shapes still hit the cache. */
function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.floor(Math.log2(bytes));
  const step = p / 4;
  return Math.ceil(bytes / step) * step;
}

/** What the buffer cache holds (bufferCache.stats()). */
export interface BufferCacheStats {
  /** Bytes of buffers in use by live tensors. */
  live_bytes: number;
  /** The most live bytes seen since the last resetPeak(). */
  peak_live_bytes: number;
  /** Bytes of released buffers kept for reuse, and how many buffers that is. */
  cached_bytes: number;
  cached_buffers: number;
  /** The bound on cached bytes now in force. */
  limit_bytes: number;
  /** Allocations served from the cache (exact size class, or a larger cached buffer), and those that asked V8. */
  hits: number;
  misses: number;
  /** Bytes let go to keep the cache under its bound (or by trim()). */
  evicted_bytes: number;
  /** How far the bound has grown past the peak's slack because evicted sizes were needed again. */
  learned_slack_bytes: number;
  /** Cached bytes per size class, largest first. */
  by_size: { bytes: number; count: number }[];
}

/**
 * Released buffers kept for reuse, bounded by bytes. An allocation takes a cached buffer of
 * its size class, else the smallest cached one up to twice its size (dynamic padding makes
 * many nearby sizes: they share buffers instead of each keeping its own). Past the bound the
 * least recently released buffers are let go: a page-backed one's memory returns to the OS
 * at once, a small one's when V8 collects it. The bound: TUNELAB_CACHE_BYTES when set, else
 * the peak of live bytes, plus a sixteenth of it, minus the live bytes now (at least 64 MiB):
 * live plus cached bytes stay within 1/16 of the most the program has needed at once, so
 * memory stays at the working set whatever shapes the data brings (a miss that would break
 * this lets the oldest cached buffers go). The sixteenth is slack for size classes: with none,
 * a BERT-base step missed 8-11 buffers and evicted 111 MB every step, each miss a fresh
 * mapping to fault in and a nudge to V8's GC (+20% CPU per step); with it, 0 misses in steady
 * state. But a step's footprint can exceed its peak of live bytes when buffers of one size are
 * free while others are live (BERT-small's full step: the 64 MiB embedding gradient and the
 * forward's 2-8 MiB activations), and then each step misses, evicts the oldest buffers, which
 * the same step needs next, and misses again: 28 misses, 95 MB faulted in again and +20 ms per
 * step. So the cache remembers the sizes it evicted, and a miss of a remembered size raises the
 * bound by that size (learnedSlackBytes, at most MAX_LEARNED_SLACK of the peak): the bound
 * settles at the footprint and the misses stop. trim() lets every cached buffer go and forgets.
 */
export class BufferCache {
  private free = new Map<number, ArrayBuffer[]>();
  /** Size classes that have cached buffers, ascending (for the best-fit search). */
  private classes: number[] = [];
  /** Cached buffers in release order (oldest first), for eviction. */
  private order = new Set<ArrayBuffer>();
  /** The buffers that came from the addon's pages. */
  private paged = new WeakSet<ArrayBuffer>();
  cachedBytes = 0;
  liveBytes = 0;
  peakLiveBytes = 0;
  hits = 0;
  misses = 0;
  evictedBytes = 0;
  /** Bytes the bound has grown by because evicted sizes were needed again (at most MAX_LEARNED_SLACK of the peak). */
  learnedSlackBytes = 0;
  /** Sizes of recent evictions, oldest first (at most GHOSTS_KEPT). */
  private ghosts: number[] = [];
  /** A fixed bound in bytes, or null: the peak of live bytes plus slack, minus the live bytes (at least minLimitBytes). */
  fixedLimitBytes: number | null = process.env.TUNELAB_CACHE_BYTES !== undefined ? Number(process.env.TUNELAB_CACHE_BYTES) : null;
  minLimitBytes = 64 * 1024 ** 2;

  get limitBytes(): number {
    return this.fixedLimitBytes ?? Math.max(this.minLimitBytes, this.peakLiveBytes * (1 + PEAK_SLACK) + this.learnedSlackBytes - this.liveBytes);
  }

  acquire(bytes: number): ArrayBuffer {
    const cls = sizeClass(bytes);
    const buf = this.take(cls);
    if (buf) this.hits++;
    else {
      this.misses++;
      this.learnFromMiss(cls);
    }
    const out = buf ?? this.allocate(cls);
    this.liveBytes += out.byteLength;
    if (this.liveBytes > this.peakLiveBytes) this.peakLiveBytes = this.liveBytes;
    if (!buf) while (this.cachedBytes > this.limitBytes) this.evictOldest();
    return out;
  }

  /** A miss of a size evicted lately: the bound was too tight for this workload, so it grows. */
  private learnFromMiss(cls: number): void {
    const i = this.ghosts.indexOf(cls);
    if (i < 0) return;
    this.ghosts.splice(i, 1);
    this.learnedSlackBytes = Math.min(this.learnedSlackBytes + cls, this.peakLiveBytes * MAX_LEARNED_SLACK);
  }

  private allocate(bytes: number): ArrayBuffer {
    if (bytes < PAGED_MIN_BYTES) return new ArrayBuffer(bytes);
    const buf = kernels().allocPages(bytes);
    this.paged.add(buf);
    return buf;
  }

  /** Whether buf has pages of its own (its memory returns to the OS when the cache lets it go). */
  isPaged(buf: ArrayBuffer): boolean {
    return this.paged.has(buf);
  }

  release(buf: ArrayBuffer): void {
    const size = buf.byteLength;
    this.liveBytes -= size;
    const limit = this.limitBytes;
    if (size > limit) {
      this.letGo(buf);
      return;
    }
    while (this.cachedBytes + size > limit) this.evictOldest();
    let list = this.free.get(size);
    if (!list) {
      this.free.set(size, (list = []));
      this.insertClass(size);
    }
    list.push(buf);
    this.order.add(buf);
    this.cachedBytes += size;
  }

  /** Drops buf from our hands: page-backed memory goes back to the OS now, the rest to the GC. */
  private letGo(buf: ArrayBuffer): void {
    this.evictedBytes += buf.byteLength;
    this.ghosts.push(buf.byteLength);
    if (this.ghosts.length > GHOSTS_KEPT) this.ghosts.shift();
    if (this.paged.has(buf)) kernels().discardPages(buf);
  }

  /** A cached buffer of class cls, else the smallest cached one of at most 2·cls bytes. */
  private take(cls: number): ArrayBuffer | null {
    let size = cls;
    if (!this.free.get(cls)?.length) {
      const i = lowerBound(this.classes, cls);
      if (i >= this.classes.length || this.classes[i] > 2 * cls) return null;
      size = this.classes[i];
    }
    const list = this.free.get(size)!;
    const buf = list.pop()!;
    if (list.length === 0) this.dropClass(size);
    this.order.delete(buf);
    this.cachedBytes -= size;
    return buf;
  }

  private evictOldest(): void {
    const buf = this.order.values().next().value as ArrayBuffer;
    this.order.delete(buf);
    const size = buf.byteLength;
    const list = this.free.get(size)!;
    list.splice(list.indexOf(buf), 1);
    if (list.length === 0) this.dropClass(size);
    this.cachedBytes -= size;
    this.letGo(buf);
  }

  private insertClass(size: number): void {
    this.classes.splice(lowerBound(this.classes, size), 0, size);
  }

  private dropClass(size: number): void {
    this.free.delete(size);
    this.classes.splice(lowerBound(this.classes, size), 1);
  }

  /** Starts a new peak (the auto bound follows it). */
  resetPeak(): void {
    this.peakLiveBytes = this.liveBytes;
    this.learnedSlackBytes = Math.min(this.learnedSlackBytes, this.peakLiveBytes * MAX_LEARNED_SLACK);
  }

  stats(): BufferCacheStats {
    return {
      live_bytes: this.liveBytes,
      peak_live_bytes: this.peakLiveBytes,
      cached_bytes: this.cachedBytes,
      cached_buffers: this.order.size,
      limit_bytes: this.limitBytes,
      hits: this.hits,
      misses: this.misses,
      evicted_bytes: this.evictedBytes,
      learned_slack_bytes: this.learnedSlackBytes,
      by_size: [...this.free].map(([bytes, l]) => ({ bytes, count: l.length })).sort((x, y) => y.bytes - x.bytes),
    };
  }

  /** Lets every cached buffer go: page-backed memory returns to the OS now. */
  trim(): void {
    for (const buf of this.order) this.letGo(buf);
    this.ghosts = [];
    this.learnedSlackBytes = 0;
    this.free.clear();
    this.classes = [];
    this.order.clear();
    this.cachedBytes = 0;
  }

  /** trim(), kept under its old name. */
  clear(): void {
    this.trim();
  }
}

/** The first index whose value is >= x in an ascending array. */
function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const bufferCache = new BufferCache();
