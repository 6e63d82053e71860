/**
 * Linear4bit: bitsandbytes' frozen 4-bit linear layer. The weight (out, in) is stored as
 * packed NF4/FP4 codes plus block scales and is never materialised in full precision: the
 * GEMM decodes blocks into its packed panels (native gemm4bit), in forward and in the
 * backward product that gives the input gradient. There is no weight gradient.
 *
 * Its buffers are exactly the keys bitsandbytes serializes (`weight`, `weight.absmax`,
 * `weight.quant_map`, `weight.nested_absmax`, `weight.nested_quant_map`,
 * `weight.quant_state.bitsandbytes__nf4`), so savePretrained writes a checkpoint that
 * Transformers loads as a 4-bit model.
 *
 * compute_dtype bfloat16 emulates bitsandbytes' bf16 compute on a CPU: the input, the
 * decoded weight and the output are rounded to bfloat16 (sums accumulate in float32).
 */
import { Tensor, defineOp, reshape, sum } from "../tensor/index.js";
import { kernels } from "../tensor/backend.js";
import { Module, Linear, withDeferredInit } from "../nn/index.js";
import { QuantState, dequantize4bit, quantize4bitRaw } from "./functional.js";
import { quantStateToDict } from "./serialize.js";

export type ComputeDtype = "float32" | "bfloat16";

/** Rounds float32 values to the nearest bfloat16, in place (through a bf16 scratch copy). */
function roundToBf16(t: Tensor): Tensor {
  const f = t.f32();
  const h = new Uint16Array(f.length);
  kernels().cast(h, 1, f, 0, f.length);
  kernels().cast(f, 0, h, 1, f.length);
  return t;
}

const linear4bitOp = defineOp({
  name: "linear_4bit",
  forward(_ctx, x: Tensor, layer: Linear4bit, bias: Tensor | null) {
    const inF = layer.inFeatures;
    const outF = layer.outFeatures;
    const bf16 = layer.computeDtype === "bfloat16";
    let x2 = reshape(x.isContiguous() && !bf16 ? x : x.contiguousCopy(), [-1, inF]);
    if (bf16) x2 = roundToBf16(x2);
    const N = x2.shape[0];
    const y = Tensor.empty([N, outF]);
    if (y.numel > 0) {
      kernels().gemm4bit(false, true, N, outF, inF, 1, x2.f32(), inF, 0, layer.operand(), inF, 0, y.f32(), outF, 0, 1);
      if (bias) {
        const yf = y.f32();
        kernels().binaryForward(0, yf, [N, outF], yf, [outF, 1], bias.buffer.subarray(bias.offset) as Float32Array, [0, bias.strides[0]]);
      }
      if (bf16) roundToBf16(y);
    }
    // The weight is frozen: backward needs the layer (its codes), never the input.
    return { out: reshape(y, [...x.shape.slice(0, -1), outF]), saved: { layer, xShape: x.shape } };
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
        kernels().gemm4bit(false, false, N, inF, outF, 1, g.f32(), outF, 0, layer.operand(), inF, 0, d.f32(), inF, 0, 1);
        if (bf16) roundToBf16(d);
      }
      dx = reshape(d, xShape);
    }
    const db = need[1] ? sum(g, 0) : null;
    return [dx, db];
  },
});

export interface Linear4bitOptions {
  compute_dtype?: ComputeDtype;
}

export class Linear4bit extends Module {
  /** PEFT reads the layout and sizes from these (peft/targets.ts). */
  readonly weightLayout = "out_in" as const;
  bias: Tensor | null;
  computeDtype: ComputeDtype;
  private packedCodes: Uint8Array;
  private quant: QuantState;

  constructor(readonly inFeatures: number, readonly outFeatures: number, packed: Uint8Array, state: QuantState, bias: Tensor | null, opts: Linear4bitOptions = {}) {
    super();
    if (state.numel !== inFeatures * outFeatures) {
      throw new RangeError(`[Linear4bit] the quantized weight has shape [${state.shape.join(", ")}] but the layer is ${outFeatures} x ${inFeatures}`);
    }
    this.packedCodes = packed;
    this.quant = state;
    this.computeDtype = opts.compute_dtype ?? "float32";
    this.bias = bias ? this.addParameter("bias", bias) : null;
    this.registerStateBuffers();
  }

  get quantState(): QuantState {
    return this.quant;
  }

  get packed(): Uint8Array {
    return this.packedCodes;
  }

  /** Replaces the quantized weight (a re-quantized merge, or a loaded checkpoint). */
  setQuantized(packed: Uint8Array, state: QuantState): void {
    if (state.numel !== this.inFeatures * this.outFeatures) {
      throw new RangeError(`[Linear4bit] the quantized weight has shape [${state.shape.join(", ")}] but the layer is ${this.outFeatures} x ${this.inFeatures}`);
    }
    this.packedCodes = packed;
    this.quant = state;
    this.clearStateBuffers();
    this.registerStateBuffers();
  }

  private stateBufferNames: string[] = [];

  private clearStateBuffers(): void {
    for (const name of this.stateBufferNames) {
      this.buffer(name)?.dispose();
      this.addBuffer(name, null);
    }
    this.stateBufferNames = [];
  }

  /** Buffers under bitsandbytes' key names, sharing memory with the packed codes and scales. */
  private registerStateBuffers(): void {
    for (const [name, raw] of quantStateToDict(this.packedCodes, this.quant)) {
      const t = name === "weight"
        ? Tensor.fromTypedArray(this.packedCodes, raw.shape, "uint8")
        : raw.dtype === "U8"
          ? Tensor.fromTypedArray(raw.data, raw.shape, "uint8")
          : Tensor.fromTypedArray(new Float32Array(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength / 4), raw.shape, "float32");
      this.addBuffer(name, t);
      this.stateBufferNames.push(name);
    }
  }

  /** The operand the fused GEMM reads. */
  operand() {
    return this.quant.operand(this.packedCodes, this.computeDtype === "bfloat16");
  }

  forward(x: Tensor): Tensor {
    if (x.dtype !== "float32") throw new TypeError(`[Linear4bit] x must be float32, got ${x.dtype}`);
    if (x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new RangeError(`[Linear4bit] x is [${x.shape.join(", ")}] but the layer takes ${this.inFeatures} features`);
    }
    return linear4bitOp(x, this, this.bias);
  }

  /** Quantizes `w` (out, in) with this layer's settings and makes it the layer's weight (a merge). */
  requantize(w: Tensor): void {
    const c = w.dtype === "float32" && w.isContiguous() ? w : w.to("float32").contiguous();
    const s = this.quant;
    const { packed, state } = quantize4bitRaw({ data: c.f32(), dtype: "float32" }, [this.outFeatures, this.inFeatures], {
      quant_type: s.quant_type, blocksize: s.blocksize, compress_statistics: s.nested,
    });
    if (c !== w) c.dispose();
    this.setQuantized(packed, new QuantState(state.quant_type, state.blocksize, state.shape, s.dtype, state.absmax, state.code, state.offset, state.state2));
  }

  /** An nn.Linear holding the dequantized weight in `dtype` (bias shared): a merged model in full precision. */
  toLinear(dtype: "float32" | "bfloat16" = "float32"): Linear {
    const lin = withDeferredInit(() => new Linear(this.inFeatures, this.outFeatures, { bias: this.bias !== null }));
    const w = this.dequantizedWeight();
    lin.setParameter("weight", dtype === "float32" ? w : w.to(dtype));
    if (this.bias) lin.setParameter("bias", this.bias);
    return lin;
  }

  /** The weight (out, in) in float32, dequantized: for merging and DoRA, never for forward. */
  dequantizedWeight(): Tensor {
    return dequantize4bit(this.packedCodes, this.quant);
  }

  /** Bytes the weight occupies: packed codes plus (possibly double-quantized) scales. */
  get weightBytes(): number {
    return this.packedCodes.byteLength + this.quant.stateBytes;
  }
}
