/**
 * A decoder's key/value cache in preallocated storage, written in place (transformers' Cache
 * objects play this part): each layer's keys and values live in one (B, capacity, Hkv, D)
 * buffer, a forward pass writes its new positions after the held ones, and attention reads
 * a (B, Hkv, held + new, D) view of the filled part. Past keys/values passed as tensors are
 * concatenated instead, a copy of the whole past per layer at every generated token.
 *
 * Positions-major storage makes the write one contiguous block per row, and the view is
 * read in place by the attention kernel (its rows are strided, D contiguous). Capacity grows
 * by doubling when a forward brings more positions than it has room for.
 *
 * Inference only: the writes are not recorded for autograd, so it refuses inputs that need
 * gradients. Pass it as past_key_values to a model whose class has `acceptsKVCache`.
 */
import { Tensor, isGradEnabled, kernels } from "../tensor/index.js";
import type { PastKeyValues } from "./decoder_utils.js";

/** Capacity is allocated in steps of this many positions. */
const CAPACITY_STEP = 32;

interface LayerBuffers {
  keys: Tensor;
  values: Tensor;
  /** Positions written. */
  length: number;
  /** Positions the buffers hold room for. */
  capacity: number;
}

export class KVCache {
  /** Per layer, from the first write to it (a new cache takes any number of layers). */
  private readonly layers: (LayerBuffers | null)[] = [];

  /**
   * An empty cache. `reserve` more positions than the first write brings are allocated with
   * it (the tokens a generation will add), so the buffers need not grow.
   */
  constructor(private readonly reserve = 0) {
    if (!Number.isInteger(reserve) || reserve < 0) throw new RangeError(`[KVCache] reserve must be a non-negative integer, got ${reserve}`);
  }

  /** A cache holding copies of per-layer [key, value] tensors (B, Hkv, P, D). */
  static from(past: PastKeyValues, reserve = 0): KVCache {
    const cache = new KVCache(reserve);
    past.forEach(([k, v], i) => cache.update(i, k, v).forEach((t) => t.dispose()));
    return cache;
  }

  /** Layers written so far (0 for a new cache, which fits a model of any depth). */
  get numLayers(): number {
    return this.layers.length;
  }

  /** Positions held (layer 0's count, as transformers' get_seq_length()). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  /**
   * Writes k, v (B, Hkv, T, D) after the positions layer `layer` holds and returns the keys and
   * values to attend over: (B, Hkv, held + T, D) views of the cache's buffers.
   */
  update(layer: number, k: Tensor, v: Tensor): [Tensor, Tensor] {
    if (!Number.isInteger(layer) || layer < 0) throw new RangeError(`[KVCache] layer must be a non-negative integer, got ${layer}`);
    if (isGradEnabled() && (k.requiresGrad || v.requiresGrad)) {
      throw new Error("[KVCache] the cache is for inference: its writes are not recorded for autograd; run under noGrad(), or pass past_key_values as tensors");
    }
    if (k.ndim !== 4 || k.dtype !== "float32" || !k.shape.every((d, i) => d === v.shape[i]) || v.dtype !== "float32") {
      throw new RangeError(`[KVCache] keys and values must be float32 (B, Hkv, T, D) of one shape, got [${k.shape.join(", ")}] ${k.dtype} and [${v.shape.join(", ")}] ${v.dtype}`);
    }
    const [B, H, T, D] = k.shape;
    while (this.layers.length <= layer) this.layers.push(null);
    let buf = this.layers[layer];
    if (buf && (buf.keys.shape[0] !== B || buf.keys.shape[2] !== H || buf.keys.shape[3] !== D)) {
      const [hb, , hh, hd] = buf.keys.shape;
      throw new RangeError(`[KVCache] layer ${layer} holds (B, Hkv, D) = (${hb}, ${hh}, ${hd}) but got keys [${k.shape.join(", ")}]`);
    }
    const held = buf?.length ?? 0;
    if (!buf || held + T > buf.capacity) buf = this.layers[layer] = grown(buf, B, H, D, held + T + (buf ? 0 : this.reserve));
    writeAt(buf.keys, k, held);
    writeAt(buf.values, v, held);
    buf.length = held + T;
    return [heldView(buf.keys, buf.length), heldView(buf.values, buf.length)];
  }

  /** Per layer [key, value], (B, Hkv, held, D) views of what is held (valid until the next write). */
  toLayers(): PastKeyValues {
    return this.layers.map((buf, i) => {
      if (!buf) throw new Error(`[KVCache] layer ${i} holds nothing yet`);
      return [heldView(buf.keys, buf.length), heldView(buf.values, buf.length)];
    });
  }

  /** Frees the buffers (views still in use keep theirs alive until they are freed). */
  dispose(): void {
    for (const buf of this.layers) (buf?.keys.dispose(), buf?.values.dispose());
    this.layers.length = 0;
  }
}

/** Buffers with room for `need` positions (rounded up), holding a copy of what `old` held. */
function grown(old: LayerBuffers | null, B: number, H: number, D: number, need: number): LayerBuffers {
  const capacity = Math.ceil(Math.max(need, 2 * (old?.capacity ?? 0)) / CAPACITY_STEP) * CAPACITY_STEP;
  const make = (prev: Tensor | undefined) => {
    const t = Tensor.empty([B, capacity, H, D]).keep();
    if (prev && old!.length > 0) {
      const src = prev.f32(), dst = t.f32(), block = old!.length * H * D;
      for (let b = 0; b < B; b++) dst.set(src.subarray(b * old!.capacity * H * D, b * old!.capacity * H * D + block), b * capacity * H * D);
    }
    prev?.dispose();
    return t;
  };
  return { keys: make(old?.keys), values: make(old?.values), length: old?.length ?? 0, capacity };
}

/** buf (B, capacity, H, D) positions [at, at + T) = x (B, H, T, D), one contiguous block per row. */
function writeAt(buf: Tensor, x: Tensor, at: number): void {
  const [B, H, T, D] = x.shape;
  if (T === 0) return;
  const capacity = buf.shape[1];
  const dst = buf.f32(), src = x.buffer as Float32Array;
  const [sb, sh, st, sd] = x.strides;
  for (let b = 0; b < B; b++) {
    const start = (b * capacity + at) * H * D;
    kernels().copyStrided(dst.subarray(start, start + T * H * D), src.subarray(x.offset + b * sb), [T, H, D], [st, sh, sd], 4);
  }
}

/** (B, H, length, D) view of buf (B, capacity, H, D): strided rows, D contiguous. */
function heldView(buf: Tensor, length: number): Tensor {
  const [B, capacity, H, D] = buf.shape;
  return new Tensor(buf.storage, [B, H, length, D], [capacity * H * D, D, H * D, 1], 0);
}
