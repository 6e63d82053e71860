/**
 * What every frozen quantized linear layer (Linear4bit, Linear8bit) shares: one autograd op
 * whose products decode the weight inside the GEMM (native gemmQuantized: blocks or rows are
 * decoded into the packed panels, so no full-precision copy of a weight ever exists), the
 * input gradient only (the weight is frozen; a bias may train), and what the rest of tunelab
 * asks of such a layer: sizes and (out, in) layout for PEFT, the weight dequantized for
 * merging and DoRA (never for forward), re-quantizing a merged weight, a full-precision copy.
 */
import { Tensor, defineOp, reshape, sum } from "../tensor/index.js";
import { kernels } from "../tensor/backend.js";
import type { Int8Operand, Quant4Operand } from "../tensor/native.js";
import { Module, Linear, withDeferredInit } from "../nn/index.js";

export type ComputeDtype = "float32" | "bfloat16";

/** Rounds float32 values to the nearest bfloat16, in place (through a bf16 scratch copy). */
function roundToBf16(t: Tensor): Tensor {
  const f = t.f32();
  const h = new Uint16Array(f.length);
  kernels().cast(h, 1, f, 0, f.length);
  kernels().cast(f, 0, h, 1, f.length);
  return t;
}

const quantizedLinearOp = defineOp<[Tensor, QuantizedLinear, Tensor | null], { layer: QuantizedLinear; xShape: number[] }>({
  name: "quantized_linear",
  forward(_ctx, x, layer, bias) {
    const bf16 = layer.computeDtype === "bfloat16";
    let x2 = reshape(x.isContiguous() && !bf16 ? x : x.contiguousCopy(), [-1, layer.inFeatures]);
    if (bf16) x2 = roundToBf16(x2);
    const y = layer.product(x2, bias);
    if (bf16 && y.numel > 0) roundToBf16(y);
    // The weight is frozen: backward needs the layer (its codes), never the input.
    return { out: reshape(y, [...x.shape.slice(0, -1), layer.outFeatures]), saved: { layer, xShape: x.shape } };
  },
  backward({ layer, xShape }, dy, { needsInputGrad: need }) {
    const inF = layer.inFeatures;
    const outF = layer.outFeatures;
    const bf16 = layer.computeDtype === "bfloat16";
    let g = reshape(dy.isContiguous() && !bf16 ? dy : dy.contiguousCopy(), [-1, outF]);
    if (bf16) g = roundToBf16(g);
    const N = g.shape[0];
    let dx: Tensor | null = null;
    if (need[0]) {
      // dx (N, in) = dy (N, out) @ W (out, in)
      const d = Tensor.empty([N, inF]);
      if (d.numel > 0) {
        kernels().gemmQuantized(false, false, N, inF, outF, 1, g.f32(), outF, 0, layer.operand(), inF, 0, d.f32(), inF, 0, 1);
        if (bf16) roundToBf16(d);
      }
      dx = reshape(d, xShape);
    }
    const db = need[1] ? sum(g, 0) : null;
    return [dx, db];
  },
});

/** How savePretrained writes a uint8 buffer's bytes: bitsandbytes' dtype and shape for them. */
export interface SerializedView {
  dtype: string;
  shape: number[];
}

export abstract class QuantizedLinear extends Module {
  /** PEFT reads the layout and sizes from these (peft/targets.ts). */
  readonly weightLayout = "out_in" as const;
  abstract readonly inFeatures: number;
  abstract readonly outFeatures: number;
  abstract bias: Tensor | null;
  /** bfloat16 emulates bitsandbytes' bf16 compute: input, decoded weight and output rounded to bf16. */
  computeDtype: ComputeDtype = "float32";
  /**
   * How the layer it replaced stored its weight: (in, out) for GPT-2's Conv1D (Transformers'
   * `source_cls`). The quantized weight is (out, in) either way; a float copy made to be
   * saved or exported must go back to the source's type, or a Hugging Face loader would read
   * a square weight transposed.
   */
  sourceLayout: "out_in" | "in_out" = "out_in";

  /** The weight as the fused GEMM reads it (decoded to the values forward and backward use). */
  abstract operand(): Quant4Operand | Int8Operand;

  /** The weight (out, in) in float32, dequantized: for merging and DoRA, never for forward. */
  abstract dequantizedWeight(): Tensor;

  /** Quantizes `w` (out, in) with this layer's settings and makes it the layer's weight (a merge). */
  abstract requantize(w: Tensor): void;

  /** Bytes the quantized weight occupies (codes plus scales). */
  abstract get weightBytes(): number;

  /** Buffers saved under another dtype than tunelab holds them in (int8 codes, bnb_4bit_quant_storage). */
  serializedViews(): Map<string, SerializedView> {
    return new Map();
  }

  /** y (N, out) = x2 (N, in) @ Wᵀ + bias, the weight decoded inside the GEMM. */
  product(x2: Tensor, bias: Tensor | null): Tensor {
    const N = x2.shape[0];
    const outF = this.outFeatures;
    const y = Tensor.empty([N, outF]);
    if (y.numel === 0) return y;
    kernels().gemmQuantized(false, true, N, outF, this.inFeatures, 1, x2.f32(), this.inFeatures, 0, this.operand(), this.inFeatures, 0, y.f32(), outF, 0, 1);
    if (bias) {
      const yf = y.f32();
      kernels().binaryForward(0, yf, [N, outF], yf, [outF, 1], bias.buffer.subarray(bias.offset) as Float32Array, [0, bias.strides[0]]);
    }
    return y;
  }

  forward(x: Tensor): Tensor {
    const name = this.constructor.name;
    if (x.dtype !== "float32") throw new TypeError(`[${name}] x must be float32, got ${x.dtype}`);
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new RangeError(`[${name}] x is [${x.shape.join(", ")}] but the layer takes ${this.inFeatures} features`);
    }
    return quantizedLinearOp(x, this, this.bias);
  }

  /** An nn.Linear holding the dequantized weight in `dtype` (bias shared): a merged model in full precision. */
  toLinear(dtype: "float32" | "bfloat16" = "float32"): Linear {
    const lin = withDeferredInit(() => new Linear(this.inFeatures, this.outFeatures, { bias: this.bias !== null }));
    const w = this.dequantizedWeight();
    lin.setParameter("weight", dtype === "float32" ? w : w.to(dtype));
    if (this.bias) lin.setParameter("bias", this.bias);
    return lin;
  }
}
