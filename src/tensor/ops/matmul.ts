/**
 * Matrix products on the native GEMM: matmul (batched, broadcasting) and linear (the
 * nn.Linear / GPT-2 Conv1D product with bias, whose weight may be stored as bfloat16).
 * Transposed views are passed to GEMM as transposed operands, never copied.
 */
import { defineOp } from "../autograd.js";
import { DTYPE_CODE } from "../dtype.js";
import { kernels } from "../backend.js";
import { Tensor, numelOf } from "../tensor.js";
import { broadcastShapes } from "./util.js";
import { expand, reshape, transpose } from "./views.js";
import { sum } from "./reduce.js";
import { sumToShape } from "./reduce_kernel.js";

interface Operand {
  data: Float32Array | Uint16Array;
  dtype: number;
  trans: boolean;
  ld: number;
}

/** How GEMM can read the last two dims of t (rows, cols), or null if it needs a copy. */
function layoutOf(t: Tensor): { trans: boolean; ld: number } | null {
  const n = t.ndim;
  const rows = t.shape[n - 2];
  const cols = t.shape[n - 1];
  const sr = t.strides[n - 2];
  const sc = t.strides[n - 1];
  if (cols === 1 || sc === 1) {
    const ld = rows === 1 ? Math.max(cols, 1) : sr;
    if (ld >= Math.max(cols, 1)) return { trans: false, ld };
  }
  if (rows === 1 || sr === 1) {
    const ld = cols === 1 ? Math.max(rows, 1) : sc;
    if (ld >= Math.max(rows, 1)) return { trans: true, ld };
  }
  return null;
}

/** Stride between consecutive matrices when the batch dims collapse into one, else null. */
function batchStride(t: Tensor, batchDims: number): number | null {
  if (batchDims === 0) return 0;
  let stride: number | null = null;
  for (let i = batchDims - 1; i >= 0; i--) {
    if (t.shape[i] === 1) continue;
    if (stride === null) {
      // Only the innermost non-trivial batch dim sets the stride...
      stride = t.strides[i];
      let expect = t.strides[i] * t.shape[i];
      for (let j = i - 1; j >= 0; j--) {
        if (t.shape[j] === 1) continue;
        // ...and every outer one must continue it.
        if (t.strides[j] !== expect) return null;
        expect *= t.shape[j];
      }
      return stride;
    }
  }
  return stride ?? 0;
}

function operand(t: Tensor): Operand {
  const lay = layoutOf(t)!;
  return {
    data: t.buffer.subarray(t.offset) as Float32Array | Uint16Array,
    dtype: DTYPE_CODE[t.dtype],
    trans: lay.trans,
    ld: lay.ld,
  };
}

/** Makes t readable by GEMM with one batch stride over `batchShape`: a view or a copy. */
function prepare(t: Tensor, batchShape: number[]): { t: Tensor; stride: number; copied: boolean } {
  const rows = t.shape[t.ndim - 2];
  const cols = t.shape[t.ndim - 1];
  const full = [...batchShape, rows, cols];
  let v = t.ndim === full.length ? t : reshape(t, [...new Array(full.length - t.ndim).fill(1), ...t.shape]);
  const broadcast = numelOf(t.shape.slice(0, -2)) === 1;
  if (layoutOf(v)) {
    if (broadcast) return { t: v, stride: 0, copied: false };
    if (v.shape.slice(0, -2).every((d, i) => d === batchShape[i])) {
      const s = batchStride(v, batchShape.length);
      if (s !== null) return { t: v, stride: s, copied: false };
    }
  }
  if (!broadcast) v = expand(v, full);
  const c = v.contiguousCopy();
  return { t: c, stride: broadcast ? 0 : rows * cols, copied: true };
}

/** out[..., M, N] = a[..., M, K] @ b[..., K, N], outside autograd. */
export function mm(a: Tensor, b: Tensor): Tensor {
  const M = a.shape[a.ndim - 2];
  const K = a.shape[a.ndim - 1];
  const N = b.shape[b.ndim - 1];
  const batchShape = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), "matmul");
  const batch = numelOf(batchShape);
  const out = Tensor.empty([...batchShape, M, N]);
  if (out.numel === 0) return out;
  if (K === 0) {
    // An empty sum: GEMM cannot describe a 0-wide operand's layout.
    kernels().fill(out.f32(), 0, out.numel);
    return out;
  }
  // A 2-D right-hand side with a row-major batched left side is one tall GEMM.
  if (b.ndim === 2 && a.ndim > 2 && a.isContiguous()) {
    const A = operand(reshape(a, [batch * M, K]));
    const B = operand(b);
    kernels().gemm(A.trans, B.trans, batch * M, N, K, 1, A.data as Float32Array, A.ld, 0, B.data, B.dtype, B.ld, 0, 0, out.f32(), N, 0, 1, null);
    return out;
  }
  const pa = prepare(a, batchShape);
  const pb = prepare(b, batchShape);
  const A = operand(pa.t);
  const B = operand(pb.t);
  kernels().gemm(A.trans, B.trans, M, N, K, 1, A.data as Float32Array, A.ld, pa.stride, B.data, B.dtype, B.ld, pb.stride, 0, out.f32(), N, M * N, batch, null);
  if (pa.copied) pa.t.dispose();
  if (pb.copied) pb.t.dispose();
  return out;
}

const matmulOp = defineOp({
  name: "matmul",
  forward({ needsInputGrad: need }, a: Tensor, b: Tensor) {
    // Each gradient reads the other operand only.
    const saved = { a: need[1] ? a : null, b: need[0] ? b : null, aShape: a.shape, bShape: b.shape };
    return { out: mm(a, b), saved };
  },
  backward(s, dy) {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (s.b) da = sumToShape(mm(dy, transpose(s.b, -1, -2)), s.aShape);
    if (s.a) {
      if (s.a.ndim > 2 && s.bShape.length === 2) {
        // Weight-like b: fold the batch into one GEMM instead of reducing afterwards.
        const K = s.a.shape[s.a.ndim - 1];
        const N = dy.shape[dy.ndim - 1];
        db = mm(transpose(reshape(s.a, [-1, K]), 0, 1), reshape(dy, [-1, N]));
      } else {
        db = sumToShape(mm(transpose(s.a, -1, -2), dy), s.bShape);
      }
    }
    return [da, db];
  },
});

/** Matrix product with PyTorch's rules (1-D operands promoted, batch dims broadcast). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new RangeError("[matmul] both arguments need at least 1 dimension");
  if (a.dtype !== "float32") throw new TypeError(`[matmul] the left operand must be float32, got ${a.dtype}`);
  if (b.dtype !== "float32" && b.dtype !== "bfloat16") throw new TypeError(`[matmul] the right operand must be float32 or bfloat16, got ${b.dtype}`);
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0], 1]) : b;
  const K = a2.shape[a2.ndim - 1];
  if (b2.shape[b2.ndim - 2] !== K) {
    throw new RangeError(`[matmul] a is [${a.shape.join(", ")}] but b is [${b.shape.join(", ")}]; the last dim of a must equal the second-to-last dim of b`);
  }
  let out = matmulOp(a2, b2);
  if (a.ndim === 1) out = reshape(out, out.shape.filter((_, i) => i !== out.ndim - 2));
  if (b.ndim === 1) out = reshape(out, out.shape.slice(0, -1));
  return out;
}

/** y (N, out) = x (N, in) @ op(W) + bias, outside autograd. */
function linearForward(x2: Tensor, w: Tensor, bias: Tensor | null, inOut: boolean): Tensor {
  const N = x2.shape[0];
  const inF = x2.shape[1];
  const outF = inOut ? w.shape[1] : w.shape[0];
  const y = Tensor.empty([N, outF]);
  if (y.numel === 0) return y;
  const W = operand(w);
  // The bias goes in through GEMM's epilogue (no second pass over y); a strided one is copied.
  const b = bias && bias.strides[0] !== 1 ? bias.contiguousCopy() : bias;
  const bData = b ? (b.buffer.subarray(b.offset) as Float32Array) : null;
  kernels().gemm(false, inOut ? W.trans : !W.trans, N, outF, inF, 1, x2.f32(), inF, 0, W.data, W.dtype, W.ld, 0, 0, y.f32(), outF, 0, 1, bData);
  if (b && b !== bias) b.dispose();
  return y;
}

const linearOp = defineOp({
  name: "linear",
  forward({ needsInputGrad: need }, x: Tensor, w: Tensor, bias: Tensor | null, inOut: boolean) {
    const inF = x.shape[x.ndim - 1];
    const x2 = reshape(x.isContiguous() ? x : x.contiguousCopy(), [-1, inF]);
    const y2 = linearForward(x2, w, bias, inOut);
    // dW reads x, dx reads W: a frozen weight keeps no activation alive.
    const saved = { x2: need[1] ? x2 : null, w: need[0] ? w : null, xShape: x.shape, inOut };
    return { out: reshape(y2, [...x.shape.slice(0, -1), y2.shape[1]]), saved };
  },
  backward({ x2, w, xShape, inOut }, dy, { needsInputGrad: need }) {
    const outF = dy.shape[dy.ndim - 1];
    const g = reshape(dy.isContiguous() ? dy : dy.contiguousCopy(), [-1, outF]);
    const N = g.shape[0];
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (w) {
      const inF = xShape[xShape.length - 1];
      const W = operand(w);
      const d = Tensor.empty([N, inF]);
      // dx = dy @ W for (out, in) weights, dy @ W^T for (in, out) ones.
      if (d.numel > 0) kernels().gemm(false, inOut ? !W.trans : W.trans, N, inF, outF, 1, g.f32(), outF, 0, W.data, W.dtype, W.ld, 0, 0, d.f32(), inF, 0, 1, null);
      dx = reshape(d, xShape);
    }
    // dW = dy^T @ x (out, in), or x^T @ dy (in, out).
    if (x2) dw = inOut ? mm(transpose(x2, 0, 1), g) : mm(transpose(g, 0, 1), x2);
    if (need[2]) db = sum(g, 0);
    return [dx, dw, db];
  },
});

/**
 * F.linear: y = x @ weight^T + bias with weight (out, in), float32 or bfloat16 (frozen).
 * With `weightLayout: "in_out"` the weight is (in, out) and y = x @ weight + bias (GPT-2's Conv1D).
 * A weight that does not require grad costs no weight-gradient work in backward.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null, weightLayout: "out_in" | "in_out" = "out_in"): Tensor {
  if (weight.ndim !== 2) throw new RangeError(`[linear] weight must be 2-D, got [${weight.shape.join(", ")}]`);
  const inOut = weightLayout === "in_out";
  const inF = inOut ? weight.shape[0] : weight.shape[1];
  const outF = inOut ? weight.shape[1] : weight.shape[0];
  if (x.shape[x.ndim - 1] !== inF) {
    throw new RangeError(`[linear] x is [${x.shape.join(", ")}] but weight is [${weight.shape.join(", ")}] (${weightLayout}); the last dim of x must be ${inF}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new RangeError(`[linear] bias is [${bias.shape.join(", ")}] but the layer has ${outF} outputs`);
  }
  if (x.dtype !== "float32") throw new TypeError(`[linear] x must be float32, got ${x.dtype}`);
  if (weight.dtype !== "float32" && weight.dtype !== "bfloat16") throw new TypeError(`[linear] weight must be float32 or bfloat16, got ${weight.dtype}`);
  if (!layoutOf(weight)) weight = weight.contiguous();
  return linearOp(x, weight, bias ?? null, inOut);
}

/** Row-major (rows, cols) view of t's last dim, copying only when t is not contiguous. */
function rows2d(t: Tensor): Tensor {
  const cols = t.shape[t.ndim - 1];
  return reshape(t.isContiguous() ? t : t.contiguousCopy(), [-1, cols]);
}

/** c (M, N) = alpha * a (M, K) @ op(w) + beta * c, with w an (N, K) weight (nn.Linear's layout) unless `wIsKN`. */
function gemmInto(c: Tensor, a: Tensor, w: Tensor, wIsKN: boolean, alpha: number, beta: number): void {
  const [M, K] = a.shape;
  const N = c.shape[1];
  if (c.numel === 0) return;
  const W = operand(w);
  kernels().gemm(false, wIsKN ? W.trans : !W.trans, M, N, K, alpha, a.f32(), K, 0, W.data, W.dtype, W.ld, 0, beta, c.f32(), N, 0, 1, null);
}

interface LoraSaved {
  x2: Tensor | null;
  w: Tensor | null;
  a: Tensor | null;
  b: Tensor | null;
  t: Tensor | null;
  xd2: Tensor | null;
  xShape: number[];
  inOut: boolean;
  scaling: number;
  /** Where each tensor argument sits among the op's tensor inputs (-1: absent). */
  at: { x: number; w: number; bias: number; a: number; b: number; xd: number; count: number };
}

const loraLinearOp = defineOp({
  name: "lora_linear",
  forward({ needsInputGrad: need }, x: Tensor, w: Tensor, bias: Tensor | null, a: Tensor, b: Tensor, xd: Tensor | null, inOut: boolean, scaling: number) {
    let n = 0;
    const at = { x: n++, w: n++, bias: bias ? n++ : -1, a: n++, b: n++, xd: xd ? n++ : -1, count: 0 };
    at.count = n;
    const x2 = rows2d(x);
    const xd2 = xd ? rows2d(xd) : x2;
    const r = a.shape[0];
    // y = x op(W) + bias (epilogue), then y += s * (xd A^T) B^T straight into y (beta = 1).
    const y = linearForward(x2, w, bias, inOut);
    const t = Tensor.empty([x2.shape[0], r]);
    gemmInto(t, xd2, a, false, 1, 0);
    gemmInto(y, t, b, false, scaling, 1);
    const needIn = need[at.x] || (at.xd >= 0 && need[at.xd]);
    const needAdapterInput = need[at.a] || need[at.b] || needIn;
    const saved: LoraSaved = {
      x2: need[at.w] ? x2 : null,
      w: need[at.x] ? w : null,
      a: needIn ? a : null,
      b: needAdapterInput ? b : null,
      t: need[at.b] ? t : null,
      xd2: need[at.a] ? xd2 : null,
      xShape: x.shape,
      inOut,
      scaling,
      at,
    };
    return { out: reshape(y, [...x.shape.slice(0, -1), y.shape[1]]), saved };
  },
  backward(s, dy, { needsInputGrad: need }) {
    const g = rows2d(dy);
    const N = g.shape[0];
    const inF = s.xShape[s.xShape.length - 1];
    const grads: (Tensor | null)[] = new Array<Tensor | null>(s.at.count).fill(null);
    const needXd = s.at.xd >= 0 && need[s.at.xd];
    // dt = s * dy B (N, r): the adapter's gradient at its rank-sized middle.
    const dt = s.b && (s.a || need[s.at.a]) ? Tensor.empty([N, s.b.shape[1]]) : null;
    if (dt) gemmInto(dt, g, s.b!, true, s.scaling, 0);
    if (s.w) {
      // dx = dy op(W) (+ dt A when the adapter read x itself: one buffer, beta = 1).
      const d = Tensor.empty([N, inF]);
      gemmInto(d, g, s.w, !s.inOut, 1, 0);
      if (dt && s.a && s.at.xd < 0) gemmInto(d, dt, s.a, true, 1, 1);
      grads[s.at.x] = reshape(d, s.xShape);
    }
    if (needXd && dt && s.a) {
      const d = Tensor.empty([N, inF]);
      gemmInto(d, dt, s.a, true, 1, 0);
      grads[s.at.xd] = reshape(d, s.xShape);
    }
    if (s.x2) grads[s.at.w] = s.inOut ? mm(transpose(s.x2, 0, 1), g) : mm(transpose(g, 0, 1), s.x2);
    if (s.at.bias >= 0 && need[s.at.bias]) grads[s.at.bias] = sum(g, 0);
    // dA = dt^T xd (r, in); dB = s * dy^T t (out, r).
    if (dt && s.xd2) grads[s.at.a] = mm(transpose(dt, 0, 1), s.xd2);
    if (s.t) {
      const db = Tensor.empty([g.shape[1], s.t.shape[1]]);
      const gt = transpose(g, 0, 1);
      const G = operand(gt);
      kernels().gemm(G.trans, false, db.shape[0], db.shape[1], N, s.scaling, G.data as Float32Array, G.ld, 0, s.t.f32(), DTYPE_CODE.float32, s.t.shape[1], 0, 0, db.f32(), db.shape[1], 0, 1, null);
      grads[s.at.b] = db;
    }
    return grads;
  },
});

/**
 * A linear layer with a LoRA adapter in one op (PEFT's lora.Linear without DoRA):
 *   y = linear(x, weight, bias, layout) + scaling · (xd Aᵀ) Bᵀ,   A (r, in), B (out, r),
 * xd = the adapter's input (dropout(x); null when it is x itself). The adapter product goes
 * straight into y and the input gradients of base and adapter into one buffer, so the
 * adapter costs its two rank-sized GEMMs each way and no element-wise pass.
 */
export function loraLinear(x: Tensor, weight: Tensor, bias: Tensor | null, weightLayout: "out_in" | "in_out", a: Tensor, b: Tensor, scaling: number, xd: Tensor | null = null): Tensor {
  const inOut = weightLayout === "in_out";
  const inF = inOut ? weight.shape[0] : weight.shape[1];
  const outF = inOut ? weight.shape[1] : weight.shape[0];
  const r = a.shape[0];
  if (x.shape[x.ndim - 1] !== inF || a.ndim !== 2 || a.shape[1] !== inF || b.ndim !== 2 || b.shape[0] !== outF || b.shape[1] !== r) {
    throw new RangeError(`[lora_linear] x [${x.shape.join(", ")}], weight [${weight.shape.join(", ")}] (${weightLayout}), A [${a.shape.join(", ")}], B [${b.shape.join(", ")}] do not chain: A must be (r, ${inF}) and B (${outF}, r)`);
  }
  if (xd && xd.shape.some((d, i) => d !== x.shape[i])) throw new RangeError(`[lora_linear] the adapter input is [${xd.shape.join(", ")}] but x is [${x.shape.join(", ")}]`);
  for (const [name, t] of [["x", x], ["A", a], ["B", b]] as const) {
    if (t.dtype !== "float32") throw new TypeError(`[lora_linear] ${name} must be float32, got ${t.dtype}`);
  }
  if (weight.dtype !== "float32" && weight.dtype !== "bfloat16") throw new TypeError(`[lora_linear] weight must be float32 or bfloat16, got ${weight.dtype}`);
  if (!layoutOf(weight)) weight = weight.contiguous();
  if (!layoutOf(a)) a = a.contiguous();
  if (!layoutOf(b)) b = b.contiguous();
  return loraLinearOp(x, weight, bias, a, b, xd, inOut, scaling);
}
