/**
 * scaledDotProductAttention over the fused, memory-efficient kernel (native/attention.cpp):
 * scores are never materialised, forward keeps only the output and the log-sum-exp per
 * query, and backward recomputes the probabilities from them (FlashAttention's scheme).
 * Grouped-query attention (Hkv < H), key padding masks, causal masking, an additive
 * differentiable bias (T5's relative positions) and dropout are handled in the kernel.
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import type { AttentionOptions } from "../native.js";
import { nextKernelSeed } from "../random.js";
import { Tensor } from "../tensor.js";
import { expand } from "./views.js";
import { asMask } from "./where.js";
import { asContiguous, broadcastShapes } from "./util.js";

export interface AttentionOpts {
  /** (B, Tk): 1 (non-zero) = attend, 0 = padding. Any dtype. */
  keyPaddingMask?: Tensor | null;
  /** Query i sees key j iff j <= i + (Tk - Tq). */
  isCausal?: boolean;
  /** Additive scores, broadcastable to (B, H, Tq, Tk) with a batch dim of 1 or B; differentiable. */
  bias?: Tensor | null;
  /** Multiplies q.k; default 1/sqrt(D). T5 passes 1. */
  scale?: number;
  /** Attention dropout probability (pass 0 in evaluation). */
  dropoutP?: number;
}

interface Config {
  opts: AttentionOptions;
}

type Rows = [number, number, number];

/**
 * How the kernel reads a (B, heads, T, D) operand in place: its [b, head, position] row
 * strides when D is contiguous (heads split off a linear layer's output, a slice of a fused
 * QKV output), else a contiguous copy.
 */
function readable(t: Tensor): { t: Tensor; rows: Rows | null } {
  const [b, h, p] = t.strides;
  const dContiguous = t.shape[3] <= 1 || t.strides[3] === 1;
  // All-zero strides mean "contiguous" to the kernel: a broadcast operand is copied instead.
  if (!dContiguous || (b === 0 && h === 0 && p === 0 && t.numel > t.shape[3])) return { t: t.contiguousCopy(), rows: null };
  return { t, rows: t.isContiguous() ? null : [b, h, p] };
}

/** From the first element of t (a view's offset included): what the kernels index from. */
function from(t: Tensor): Float32Array {
  return t.buffer.subarray(t.offset) as Float32Array;
}

/**
 * A (B, heads, T, D) result stored in (B, T, heads, D) order: merging the heads back
 * (transpose(1, 2) + reshape) is then a view, and the gradients flow back into the linear
 * layers that made q, k, v without copies.
 */
function emptyHeadsLast(shape: number[]): { t: Tensor; rows: Rows } {
  const [B, H, T, D] = shape;
  const base = Tensor.empty([B, T, H, D]);
  const t = new Tensor(base.storage, shape, [T * H * D, D, H * D, 1], 0);
  base.dispose();
  return { t, rows: [T * H * D, D, H * D] };
}

const attentionOp = defineOp({
  name: "scaled_dot_product_attention",
  forward(_ctx, q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, mask: Tensor | null, cfg: Config) {
    // cfg is this call's own: its options are filled in place (object spreads here cost as
    // much as a generated token's whole attention kernel).
    const o = cfg.opts;
    const qr = readable(q), kr = readable(k), vr = readable(v);
    const out = emptyHeadsLast(q.shape);
    const lse = Tensor.empty([o.B, o.H, o.Tq]);
    o.qRows = qr.rows, o.kRows = kr.rows, o.vRows = vr.rows, o.outRows = out.rows;
    o.bias = bias ? bias.f32() : null, o.keyMask = mask ? (mask.data as Uint8Array) : null;
    if (out.t.numel > 0) {
      if (o.Tk === 0) kernels().fill(out.t.buffer as Float32Array, 0, out.t.numel);
      else kernels().attentionForward(from(out.t), lse.f32(), from(qr.t), from(kr.t), from(vr.t), o);
    }
    o.bias = null, o.keyMask = null;  // backward reads them from the saved tensors
    // Backward recomputes the probabilities from the output and the log-sum-exp.
    return { out: out.t, saved: { q: qr.t, k: kr.t, v: vr.t, out: out.t, lse, bias, mask, cfg } };
  },
  backward({ q, k, v, out, lse, bias, mask, cfg }, dy, { needsInputGrad: need }) {
    const dq = need[0] ? emptyHeadsLast(q.shape) : null;
    const dk = need[1] ? emptyHeadsLast(k.shape) : null;
    const dv = need[2] ? emptyHeadsLast(v.shape) : null;
    const dbias = bias && need[3] ? Tensor.empty(bias.shape) : null;
    const g = readable(dy);
    const rows = { doutRows: g.rows, dqRows: dq?.rows ?? null, dkRows: dk?.rows ?? null, dvRows: dv?.rows ?? null };
    const opts: AttentionOptions = { ...cfg.opts, ...rows, bias: bias ? bias.f32() : null, keyMask: mask ? (mask.data as Uint8Array) : null };
    if (cfg.opts.Tk === 0 || q.numel === 0) {
      for (const t of [dq?.t, dk?.t, dv?.t, dbias]) if (t && t.numel > 0) kernels().fill(t.buffer as Float32Array, 0, t.numel);
    } else if (dq || dk || dv || dbias) {
      kernels().attentionBackward(dq ? from(dq.t) : null, dk ? from(dk.t) : null, dv ? from(dv.t) : null, dbias?.f32() ?? null, from(g.t), from(q), from(k), from(v), from(out), lse.f32(), opts);
    }
    // Tensor slots in argument order: a missing bias or mask is not a slot.
    const grads: (Tensor | null)[] = [dq?.t ?? null, dk?.t ?? null, dv?.t ?? null];
    if (bias) grads.push(dbias);
    if (mask) grads.push(null);
    return grads;
  },
});

/**
 * The key padding mask as contiguous (B, Tk) uint8 bytes, read as where() reads its condition
 * (asMask: non-zero, NaN included, = attend); the kernel takes any non-zero byte as "attend",
 * so a uint8 mask goes through as it is.
 */
function keyMaskBytes(mask: Tensor, B: number, Tk: number): Tensor {
  if (mask.ndim !== 2 || mask.shape[0] !== B || mask.shape[1] !== Tk) {
    throw new RangeError(`[scaled_dot_product_attention] keyPaddingMask is [${mask.shape.join(", ")}] but must be (B, Tk) = (${B}, ${Tk})`);
  }
  return asContiguous(asMask(mask));
}

/** The bias as a contiguous (Bb, H, Tq, Tk) tensor with Bb in {1, B} (a differentiable expand). */
function prepareBias(bias: Tensor, B: number, H: number, Tq: number, Tk: number): Tensor {
  const where = "[scaled_dot_product_attention]";
  if (bias.dtype !== "float32") throw new TypeError(`${where} bias must be float32, got ${bias.dtype}`);
  const full = [B, H, Tq, Tk];
  if (bias.ndim > 4) throw new RangeError(`${where} bias is [${bias.shape.join(", ")}] but must broadcast to [${full.join(", ")}]`);
  try {
    const s = broadcastShapes(bias.shape, full, "scaled_dot_product_attention");
    if (s.some((d, i) => d !== full[i])) throw new Error();
  } catch {
    throw new RangeError(`${where} bias is [${bias.shape.join(", ")}] but must broadcast to (B, H, Tq, Tk) = [${full.join(", ")}]`);
  }
  const Bb = bias.ndim === 4 ? bias.shape[0] : 1;
  const target = [Bb, H, Tq, Tk];
  const e = expand(bias, target);
  return e.isContiguous() ? e : e.contiguous();
}

/**
 * softmax(q k^T * scale + bias + masks) v, like torch's F.scaled_dot_product_attention.
 * q (B, H, Tq, D); k, v (B, Hkv, Tk, D) with H a multiple of Hkv (grouped-query attention).
 * A query that sees no key (all masked) outputs zeros. Gradients flow to q, k, v and bias.
 */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOpts = {}): Tensor {
  const where = "[scaled_dot_product_attention]";
  for (const [name, t] of [["q", q], ["k", k], ["v", v]] as const) {
    if (t.ndim !== 4) throw new RangeError(`${where} ${name} must be 4-D (B, heads, T, D), got [${t.shape.join(", ")}]`);
    if (t.dtype !== "float32") throw new TypeError(`${where} ${name} must be float32, got ${t.dtype}`);
  }
  const [B, H, Tq, D] = q.shape;
  const [Bk, Hkv, Tk, Dk] = k.shape;
  if (Bk !== B || Dk !== D || v.shape.some((d, i) => d !== k.shape[i])) {
    throw new RangeError(
      `${where} q is [${q.shape.join(", ")}], k is [${k.shape.join(", ")}], v is [${v.shape.join(", ")}]; k and v must be (${B}, Hkv, Tk, ${D}) with the same shape`,
    );
  }
  if (Hkv < 1 || H % Hkv !== 0) {
    throw new RangeError(`${where} q has ${H} heads but k/v have ${Hkv}; the query heads must be a multiple of the key/value heads`);
  }
  const p = opts.dropoutP ?? 0;
  if (!(p >= 0 && p < 1)) throw new RangeError(`${where} dropoutP must be in [0, 1), got ${p}`);
  const scale = opts.scale ?? 1 / Math.sqrt(D);
  const mask = opts.keyPaddingMask ? keyMaskBytes(opts.keyPaddingMask, B, Tk) : null;
  const bias = opts.bias ? prepareBias(opts.bias, B, H, Tq, Tk) : null;
  const cfg: Config = {
    opts: {
      B, H, Hkv, Tq, Tk, D, scale, causal: !!opts.isCausal,
      keyMask: null, bias: null, biasBatch: bias ? bias.shape[0] : 1,
      dropoutP: p, seed: p > 0 ? nextKernelSeed() : 0,
      qRows: null, kRows: null, vRows: null, outRows: null,
    },
  };
  return attentionOp(q, k, v, bias, mask, cfg);
}
