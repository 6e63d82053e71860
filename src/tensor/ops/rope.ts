/**
 * Rotary position embeddings in Hugging Face's rotate_half layout: each pair
 * (x[i], x[i + D/2]) is rotated by the angle position * invFreq[i]. ropeTables builds the
 * cos/sin tables (P, D/2) from rope_theta and rope_scaling; applyRotaryEmb rotates, and its
 * backward rotates the gradient back (a rotation's transpose is its inverse).
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";
import { tensor } from "./creation.js";
import { asIndexTensor, checkRange } from "./embedding.js";

/** config.json's rope_scaling (rope_type "linear" or "llama3"; "default" is none). */
export interface RopeScaling {
  rope_type?: string;
  /** The pre-2024 key for rope_type. */
  type?: string;
  factor?: number;
  low_freq_factor?: number;
  high_freq_factor?: number;
  original_max_position_embeddings?: number;
  [key: string]: unknown;
}

const f32 = Math.fround;

/** inv_freq (D/2) as transformers' ROPE_INIT_FUNCTIONS compute it, in float32. */
export function ropeInvFreq(headDim: number, theta = 10000, scaling?: RopeScaling | null): Float32Array {
  if (!Number.isInteger(headDim) || headDim < 2 || headDim % 2 !== 0) {
    throw new RangeError(`[rope] headDim must be a positive even integer, got ${headDim}`);
  }
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = f32(1 / f32(theta ** f32((2 * i) / headDim)));
  const type = scaling ? scaling.rope_type ?? scaling.type ?? "default" : "default";
  if (type === "default") return inv;
  const factor = scaling?.factor;
  if (typeof factor !== "number" || !(factor > 0)) {
    throw new RangeError(`[rope] rope_scaling ${JSON.stringify(scaling)} needs a positive "factor"`);
  }
  if (type === "linear") {
    for (let i = 0; i < half; i++) inv[i] = f32(inv[i] / factor);
    return inv;
  }
  if (type === "llama3") {
    const low = scaling?.low_freq_factor;
    const high = scaling?.high_freq_factor;
    const old = scaling?.original_max_position_embeddings;
    if (typeof low !== "number" || typeof high !== "number" || typeof old !== "number") {
      throw new RangeError(
        `[rope] rope_scaling of type "llama3" needs low_freq_factor, high_freq_factor and original_max_position_embeddings; got ${JSON.stringify(scaling)}`,
      );
    }
    const lowWavelen = old / low;
    const highWavelen = old / high;
    for (let i = 0; i < half; i++) {
      const wavelen = (2 * Math.PI) / inv[i];
      if (wavelen < highWavelen) continue; // high frequencies: unchanged
      if (wavelen > lowWavelen) {
        inv[i] = f32(inv[i] / factor); // low frequencies: scaled like "linear"
        continue;
      }
      const smooth = (old / wavelen - low) / (high - low);
      inv[i] = f32((1 - smooth) * (inv[i] / factor) + smooth * inv[i]);
    }
    return inv;
  }
  throw new RangeError(`[rope] rope_scaling type "${type}" is not supported; supported types are default, linear, llama3`);
}

/** cos and sin tables (maxPositions, headDim/2) for applyRotaryEmb. */
export function ropeTables(
  headDim: number,
  maxPositions: number,
  theta = 10000,
  scaling?: RopeScaling | null,
): { cos: Tensor; sin: Tensor } {
  if (!Number.isInteger(maxPositions) || maxPositions < 0) {
    throw new RangeError(`[rope] maxPositions must be a non-negative integer, got ${maxPositions}`);
  }
  const inv = ropeInvFreq(headDim, theta, scaling);
  const half = headDim / 2;
  const cos = new Float32Array(maxPositions * half);
  const sin = new Float32Array(maxPositions * half);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = f32(p * inv[i]);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos: tensor(cos, { shape: [maxPositions, half] }), sin: tensor(sin, { shape: [maxPositions, half] }) };
}

const ropeOp = defineOp({
  name: "apply_rotary_emb",
  forward(_ctx, x: Tensor, cos: Tensor, sin: Tensor, pos: Tensor) {
    const [B, H, T, D] = x.shape;
    const xc = x.isContiguous() ? x : x.contiguousCopy();
    const out = Tensor.empty(x.shape);
    if (out.numel > 0) kernels().ropeForward(out.f32(), xc.f32(), cos.f32(), sin.f32(), pos.i32(), B, H, T, D, cos.shape[0], false);
    return { out, saved: { cos, sin, pos } };
  },
  backward({ cos, sin, pos }, dy) {
    const [B, H, T, D] = dy.shape;
    const g = dy.isContiguous() ? dy : dy.contiguousCopy();
    const dx = Tensor.empty(dy.shape);
    if (dx.numel > 0) kernels().ropeForward(dx.f32(), g.f32(), cos.f32(), sin.f32(), pos.i32(), B, H, T, D, cos.shape[0], true);
    // The tables are constants (built from the config), never trained.
    return [dx, null, null, null];
  },
});

/**
 * Rotates q or k, x (B, H, T, D), by the angles at positionIds (B, T), (1, T) or (T)
 * (int32), reading cos/sin tables (P, D/2) from ropeTables. Gradients flow to x only.
 */
export function applyRotaryEmb(x: Tensor, cos: Tensor, sin: Tensor, positionIds: Tensor | number[] | number[][]): Tensor {
  if (x.ndim !== 4) throw new RangeError(`[apply_rotary_emb] x must be (B, H, T, D), got [${x.shape.join(", ")}]`);
  if (x.dtype !== "float32") throw new TypeError(`[apply_rotary_emb] x must be float32, got ${x.dtype}`);
  const [B, , T, D] = x.shape;
  for (const [name, t] of [["cos", cos], ["sin", sin]] as const) {
    if (t.ndim !== 2 || t.shape[1] !== D / 2 || D % 2 !== 0) {
      throw new RangeError(`[apply_rotary_emb] x is [${x.shape.join(", ")}] but ${name} is [${t.shape.join(", ")}]; ${name} must be (P, ${D / 2}) and D even`);
    }
    if (t.dtype !== "float32" || !t.isContiguous()) {
      throw new TypeError(`[apply_rotary_emb] ${name} must be a contiguous float32 table (from ropeTables)`);
    }
  }
  if (cos.shape[0] !== sin.shape[0]) {
    throw new RangeError(`[apply_rotary_emb] cos is [${cos.shape.join(", ")}] but sin is [${sin.shape.join(", ")}]; they must match`);
  }
  let pos = asIndexTensor(positionIds, "apply_rotary_emb", "positionIds");
  const ok = (pos.ndim === 2 && (pos.shape[0] === B || pos.shape[0] === 1) && pos.shape[1] === T) || (pos.ndim === 1 && pos.shape[0] === T);
  if (!ok) {
    throw new RangeError(`[apply_rotary_emb] x is [${x.shape.join(", ")}] but positionIds is [${pos.shape.join(", ")}]; positionIds must be (${B}, ${T}), (1, ${T}) or (${T})`);
  }
  checkRange(pos.i32(), cos.shape[0], "apply_rotary_emb", "position", `the tables hold ${cos.shape[0]} positions: build them with a larger maxPositions`);
  if (pos.numel !== B * T) {
    // One row of positions shared by the batch.
    const row = pos.i32();
    const full = new Int32Array(B * T);
    for (let b = 0; b < B; b++) full.set(row, b * T);
    pos = tensor(full, { shape: [B, T] });
  }
  return ropeOp(x, cos, sin, pos);
}
