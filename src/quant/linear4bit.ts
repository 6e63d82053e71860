/**
 * Linear4bit: bitsandbytes' frozen 4-bit linear layer. The weight (out, in) is stored as
 * packed NF4/FP4 codes plus block scales and is never materialised in full precision: the
 * GEMM decodes blocks into its packed panels (quantized_linear.ts), in forward and in the
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
import { Tensor } from "../tensor/index.js";
import { QuantState, dequantize4bit, quantize4bitRaw } from "./functional.js";
import { STORAGE_DTYPES, quantStateToDict } from "./serialize.js";
import { QuantizedLinear, type ComputeDtype, type SerializedView } from "./quantized_linear.js";
import type { QuantStorage } from "./config.js";

export type { ComputeDtype };

export interface Linear4bitOptions {
  compute_dtype?: ComputeDtype;
  /** bnb_4bit_quant_storage: the dtype the packed codes are saved as (the same bytes; default uint8). */
  quant_storage?: QuantStorage;
  /** The layer's module path, for errors. */
  where?: string;
}

export class Linear4bit extends QuantizedLinear {
  bias: Tensor | null;
  readonly quantStorage: QuantStorage;
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
    this.quantStorage = opts.quant_storage ?? "uint8";
    const { itemsize } = STORAGE_DTYPES[this.quantStorage];
    if (packed.length % itemsize !== 0) {
      throw new RangeError(`[quantization_config] bnb_4bit_quant_storage ${this.quantStorage} packs ${itemsize} bytes per element, but ${opts.where ?? "a layer"} has ${packed.length} bytes of 4-bit codes (${outFeatures} x ${inFeatures} / 2); use uint8 (the default)`);
    }
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

  /** With bnb_4bit_quant_storage other than uint8, the codes are saved viewed as that dtype. */
  override serializedViews(): Map<string, SerializedView> {
    const { dtype, itemsize } = STORAGE_DTYPES[this.quantStorage];
    return itemsize === 1 && dtype === "U8" ? new Map() : new Map([["weight", { dtype, shape: [this.packedCodes.length / itemsize, 1] }]]);
  }

  /** The operand the fused GEMM reads. */
  operand() {
    return this.quant.operand(this.packedCodes, this.computeDtype === "bfloat16");
  }

  requantize(w: Tensor): void {
    const c = w.dtype === "float32" && w.isContiguous() ? w : w.to("float32").contiguous();
    const s = this.quant;
    const { packed, state } = quantize4bitRaw({ data: c.f32(), dtype: "float32" }, [this.outFeatures, this.inFeatures], {
      quant_type: s.quant_type, blocksize: s.blocksize, compress_statistics: s.nested,
    });
    if (c !== w) c.dispose();
    this.setQuantized(packed, new QuantState(state.quant_type, state.blocksize, state.shape, s.dtype, state.absmax, state.code, state.offset, state.state2));
  }

  dequantizedWeight(): Tensor {
    return dequantize4bit(this.packedCodes, this.quant);
  }

  /** Bytes the weight occupies: packed codes plus (possibly double-quantized) scales. */
  get weightBytes(): number {
    return this.packedCodes.byteLength + this.quant.stateBytes;
  }
}
