/**
 * Linear8bit: bitsandbytes' Linear8bitLt with frozen int8 weights (load_in_8bit, LLM.int8()).
 * The weight (out, in) is held as row-wise int8 codes `CB` plus one absmax per row `SCB`
 * (1 byte per weight), never in full precision: the GEMM decodes rows into its packed panels.
 *
 * Forward follows what bitsandbytes runs on a CPU (bitsandbytes.matmul):
 * - training (MatMul8bitFp): y = x · (CB · (SCB / 127))ᵀ in float32; llm_int8_threshold is
 *   not used, as in bitsandbytes, whose CPU training path skips the outlier decomposition.
 * - eval (MatMul8bitLt, LLM.int8 proper): x is rounded to float16 and quantized to int8 per
 *   row; columns holding any |x| ≥ llm_int8_threshold are outliers, left out of the int8
 *   product and added back in float32 against their dequantized weight columns; the int8
 *   product is scaled by SCA · SCB / 127². With threshold 0 there is no decomposition.
 * Backward (both): the input gradient dy · (CB · SCB / 127); there is no weight gradient.
 *
 * Buffers are bitsandbytes' serialized keys: `weight` (int8 codes, written as I8), `SCB`
 * (F32 [out]) and `weight_format` (U8 0 = row-major, the only layout bitsandbytes still uses).
 */
import { Tensor } from "../tensor/index.js";
import { kernels } from "../tensor/backend.js";
import type { Int8Operand } from "../tensor/native.js";
import { type Int8Rows, quantizeInt8Rows, dequantizeInt8Rows } from "./functional.js";
import { QuantizedLinear, type SerializedView } from "./quantized_linear.js";

/** The constant bitsandbytes' int8_mm_dequant multiplies by: 1 / 127². */
const MM_DEQUANT_SCALE = Math.fround(6.200124e-05);
const INV_127 = Math.fround(1 / 127);
const f = Math.fround;
const F16 = 2;
const F32 = 0;

/** Round half to even, as torch.round. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface Linear8bitOptions {
  /** llm_int8_threshold: activation outlier threshold of LLM.int8 inference (bitsandbytes' default 6.0; 0 = none). */
  threshold?: number;
}

export class Linear8bit extends QuantizedLinear {
  bias: Tensor | null;
  threshold: number;
  private q: Int8Rows;

  constructor(readonly inFeatures: number, readonly outFeatures: number, q: Int8Rows, bias: Tensor | null, opts: Linear8bitOptions = {}) {
    super();
    this.q = this.checked(q);
    this.threshold = opts.threshold ?? 6.0;
    this.bias = bias ? this.addParameter("bias", bias) : null;
    this.registerStateBuffers();
  }

  /** Quantizes a full-precision weight (out, in) the way Int8Params does. */
  static fromWeight(w: Tensor, bias: Tensor | null, opts: Linear8bitOptions = {}): Linear8bit {
    const [outF, inF] = w.shape;
    return new Linear8bit(inF, outF, quantizeWeight(w), bias, opts);
  }

  get int8(): Int8Rows {
    return this.q;
  }

  private checked(q: Int8Rows): Int8Rows {
    if (q.rows !== this.outFeatures || q.cols !== this.inFeatures || q.codes.length !== q.rows * q.cols || q.scb.length !== q.rows) {
      throw new RangeError(`[Linear8bit] the int8 weight is [${q.rows}, ${q.cols}] (${q.codes.length} codes, ${q.scb.length} scales) but the layer is ${this.outFeatures} x ${this.inFeatures}`);
    }
    return q;
  }

  private registerStateBuffers(): void {
    this.addBuffer("weight", Tensor.fromTypedArray(new Uint8Array(this.q.codes.buffer, this.q.codes.byteOffset, this.q.codes.length), [this.q.rows, this.q.cols], "uint8"));
    this.addBuffer("SCB", Tensor.fromTypedArray(this.q.scb, [this.q.rows], "float32"));
    this.addBuffer("weight_format", Tensor.fromTypedArray(new Uint8Array([0]), [], "uint8"));
  }

  /** Replaces the int8 weight (a re-quantized merge). */
  setQuantized(q: Int8Rows): void {
    this.q = this.checked(q);
    for (const name of ["weight", "SCB", "weight_format"]) this.buffer(name)?.dispose();
    this.registerStateBuffers();
  }

  /** The codes are held in a uint8 buffer (tunelab has no int8 dtype) and saved as I8, as bitsandbytes writes them. */
  override serializedViews(): Map<string, SerializedView> {
    return new Map([["weight", { dtype: "I8", shape: [this.q.rows, this.q.cols] }]]);
  }

  operand(unscaled = false): Int8Operand {
    return { int8Codes: new Uint8Array(this.q.codes.buffer, this.q.codes.byteOffset, this.q.codes.length), rowAbsmax: this.q.scb, rows: this.q.rows, cols: this.q.cols, unscaled };
  }

  override product(x2: Tensor, bias: Tensor | null): Tensor {
    return this.training ? super.product(x2, bias) : this.int8Product(x2, bias);
  }

  /** LLM.int8 inference (bitsandbytes' MatMul8bitLt with its default kernels), see the file comment. */
  private int8Product(x2: Tensor, bias: Tensor | null): Tensor {
    const N = x2.shape[0];
    const K = this.inFeatures;
    const outF = this.outFeatures;
    const y = Tensor.empty([N, outF]);
    if (y.numel === 0) return y;
    const x = x2.f32();
    // 1. x in float16, outliers (|x| ≥ threshold) zeroed before the row statistics.
    const h16 = new Uint16Array(N * K);
    const h = new Float32Array(N * K);
    kernels().cast(h16, F16, x, F32, N * K);
    kernels().cast(h, F32, h16, F16, N * K);
    const outlier = new Uint8Array(K);
    if (this.threshold > 0) {
      for (let e = 0; e < N * K; e++) if (Math.abs(h[e]) >= this.threshold) (outlier[e % K] = 1), (h[e] = 0);
    }
    const outlierCols: number[] = [];
    for (let c = 0; c < K; c++) if (outlier[c]) outlierCols.push(c);
    // 2. Row-wise int8 codes of x (held as integer-valued floats), outlier columns zeroed.
    const sca = new Float32Array(N);
    for (let r = 0; r < N; r++) {
      let am = 0;
      for (let c = 0, e = r * K; c < K; c++, e++) am = Math.max(am, Math.abs(h[e]));
      sca[r] = am;
      const s = Math.fround(Math.fround(1 / am) * 127);
      for (let c = 0, e = r * K; c < K; c++, e++) {
        const v = roundHalfEven(Math.fround(h[e] * s));
        h[e] = Number.isNaN(v) ? 0 : v;
      }
      if (N > 1) for (const c of outlierCols) h[r * K + c] = 0;
    }
    // 3. The integer product (exact in float32 while |sum| < 2^24, i.e. K ≤ 1040; beyond,
    //    float32-rounded like bitsandbytes' default CPU kernel), scaled by SCA · SCB / 127².
    const yf = y.f32();
    kernels().gemmQuantized(false, true, N, outF, K, 1, h, K, 0, this.operand(true), K, 0, yf, outF, 0, 1);
    const scb = this.q.scb;
    const b = bias?.contiguous().f32();
    for (let r = 0; r < N; r++) {
      for (let j = 0, e = r * outF; j < outF; j++, e++) {
        const v = Math.fround(Math.fround(yf[e] * Math.fround(sca[r] * scb[j])) * MM_DEQUANT_SCALE);
        yf[e] = b ? Math.fround(v + b[j]) : v;
      }
    }
    // 4. Outlier columns in float32: y += x[:, cols] (N, c) @ W[:, cols]ᵀ, W dequantized as
    //    int8_vectorwise_dequant does ((CB · SCB) · 1/127); only those c columns are decoded.
    const c = outlierCols.length;
    if (c) {
      const codes = this.q.codes;
      const subA = new Float32Array(N * c);
      const subB = new Float32Array(outF * c);
      for (let r = 0; r < N; r++) for (let i = 0; i < c; i++) subA[r * c + i] = x[r * K + outlierCols[i]];
      for (let j = 0; j < outF; j++) for (let i = 0; i < c; i++) subB[j * c + i] = f(f(codes[j * K + outlierCols[i]] * scb[j]) * INV_127);
      kernels().gemm(false, true, N, outF, c, 1, subA, c, 0, subB, F32, c, 0, 1, yf, outF, 0, 1, null);
    }
    return y;
  }

  requantize(w: Tensor): void {
    this.setQuantized(quantizeWeight(w));
  }

  dequantizedWeight(): Tensor {
    return dequantizeInt8Rows(this.q);
  }

  get weightBytes(): number {
    return this.q.codes.byteLength + this.q.scb.byteLength;
  }
}

function quantizeWeight(w: Tensor): Int8Rows {
  if (w.ndim !== 2) throw new RangeError(`[Linear8bit] a weight must be (out, in), got [${w.shape.join(", ")}]`);
  const c = w.isContiguous() && (w.dtype === "float32" || w.dtype === "bfloat16" || w.dtype === "float16") ? w : w.to("float32").contiguous();
  const q = quantizeInt8Rows({ data: c.data as Float32Array | Uint16Array, dtype: c.dtype as "float32" | "bfloat16" | "float16" }, w.shape[0], w.shape[1]);
  if (c !== w) c.dispose();
  return q;
}
