/**
 * bitsandbytes' functional API for blockwise quantization, bit-compatible with it:
 * quantize4bit / dequantize4bit (NF4, FP4; optional double quantization of the block
 * scales, "compress_statistics"), and 8-bit blockwise quantization with the signed dynamic
 * map. A QuantState holds what bitsandbytes' QuantState holds, under the same names, and
 * converts to and from the keys bitsandbytes writes into a saved checkpoint.
 */
import { Tensor } from "../tensor/index.js";
import { kernels } from "../tensor/backend.js";
import type { Quant4Operand } from "../tensor/native.js";

export type QuantType4bit = "nf4" | "fp4";
/** Codes shared with native/kernels.h (QuantType). */
const QUANT_TYPE_CODE: Record<QuantType4bit, number> = { fp4: 0, nf4: 1 };
/** Source dtypes the quantizer reads, with native/kernels.h's DType codes. */
export type FloatSource = { data: Float32Array | Uint16Array; dtype: "float32" | "bfloat16" | "float16" };
const SOURCE_CODE = { float32: 0, bfloat16: 1, float16: 2 } as const;

/** bitsandbytes' block sizes for 4-bit quantization. */
export const BLOCKSIZES_4BIT = [32, 64, 128, 256, 512, 1024, 2048, 4096];
/** Block size of the second level of double quantization (bitsandbytes hard-codes 256). */
export const NESTED_BLOCKSIZE = 256;

export interface Quantize4bitOptions {
  /** Default "fp4", as bitsandbytes.functional.quantize_4bit. */
  quant_type?: QuantType4bit;
  /** Default 64. */
  blocksize?: number;
  /** Double quantization of the absmax values (bnb_4bit_use_double_quant). Default false. */
  compress_statistics?: boolean;
}

/** Second-level state of double quantization: 8-bit codes of (absmax - offset). */
export interface NestedState {
  absmax: Float32Array;
  code: Float32Array;
  blocksize: number;
  dtype: "float32";
}

/** bitsandbytes' QuantState for a 4-bit tensor. */
export class QuantState {
  constructor(
    readonly quant_type: QuantType4bit,
    readonly blocksize: number,
    readonly shape: number[],
    /** The dtype of the tensor that was quantized (what dequantization returns in bnb). */
    readonly dtype: "float32" | "bfloat16" | "float16",
    /** float32 block scales, or their 8-bit codes when nested. */
    readonly absmax: Float32Array | Uint8Array,
    /** The 16 code values (quant_map). */
    readonly code: Float32Array,
    readonly offset: number | null = null,
    readonly state2: NestedState | null = null,
  ) {}

  get nested(): boolean {
    return this.state2 !== null;
  }

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }

  /** Bytes held: packed codes plus scales (what a 4-bit weight costs in memory). */
  get stateBytes(): number {
    return this.absmax.byteLength + this.code.byteLength + (this.state2 ? this.state2.absmax.byteLength + this.state2.code.byteLength : 0);
  }

  /** The operand descriptor gemmQuantized and the decoder read. */
  operand(packed: Uint8Array, roundBf16 = false): Quant4Operand {
    const base = { packed, n: this.numel, blocksize: this.blocksize, quantType: QUANT_TYPE_CODE[this.quant_type], roundBf16 };
    if (!this.state2) return { ...base, absmax: this.absmax as Float32Array };
    return {
      ...base,
      absmax: null,
      absmaxQ: this.absmax as Uint8Array,
      nestedAbsmax: this.state2.absmax,
      nestedCode: this.state2.code,
      nestedBlocksize: this.state2.blocksize,
      offset: this.offset ?? 0,
    };
  }
}

/** The 16 values of a 4-bit code (bitsandbytes' get_4bit_type). */
export function code4bit(quantType: QuantType4bit): Float32Array {
  return kernels().code4bit(QUANT_TYPE_CODE[quantType]);
}

let dynamicCode: Float32Array | null = null;
/** bitsandbytes' create_dynamic_map(signed=True): 256 sorted values in [-0.993, 1]. */
export function dynamicMap(): Float32Array {
  dynamicCode ??= kernels().dynamicCode8bit();
  return dynamicCode.slice();
}

function checkQuantType(t: unknown): QuantType4bit {
  if (t !== "nf4" && t !== "fp4") throw new RangeError(`[quant] quant_type must be "nf4" or "fp4", got ${JSON.stringify(t)}`);
  return t;
}

function checkBlocksize(b: number): number {
  if (!BLOCKSIZES_4BIT.includes(b)) throw new RangeError(`[quant] blocksize ${b} is not supported; use one of ${BLOCKSIZES_4BIT.join(", ")}`);
  return b;
}

/** 8-bit blockwise quantization (bitsandbytes' quantize_blockwise) with a sorted 256-entry code. */
export function quantizeBlockwise(x: Float32Array, opts: { code?: Float32Array; blocksize?: number } = {}): { q: Uint8Array; absmax: Float32Array } {
  const code = opts.code ?? dynamicMap();
  const blocksize = opts.blocksize ?? 4096;
  const q = new Uint8Array(x.length);
  const absmax = new Float32Array(Math.ceil(x.length / blocksize));
  if (x.length) kernels().quantizeBlockwise8bit(q, absmax, x, code, x.length, blocksize);
  return { q, absmax };
}

/** out = code[q] * absmax[block] + offset (bitsandbytes' dequantize_blockwise, plus the nested offset). */
export function dequantizeBlockwise(q: Uint8Array, absmax: Float32Array, opts: { code?: Float32Array; blocksize?: number; offset?: number } = {}): Float32Array {
  const out = new Float32Array(q.length);
  if (q.length) kernels().dequantizeBlockwise8bit(out, q, absmax, opts.code ?? dynamicMap(), q.length, opts.blocksize ?? 4096, opts.offset ?? 0);
  return out;
}

/**
 * Sum of float32 values in exactly the order torch's CPU sum kernel uses for a contiguous
 * float32 vector on an AVX2 machine (8-lane vectors; 4 accumulators with up to 4 cascade
 * levels, SumKernel.cpp), so the double-quantization offset (absmax.mean()) is bit-identical
 * to bitsandbytes'. Shorter than one vector: 4 scalar accumulators.
 */
export function torchSumF32(a: Float32Array): number {
  const f = Math.fround;
  const W = a.length >= 8 ? 8 : 1;
  const V = Math.floor(a.length / W);
  const sizeIlp = Math.floor(V / 4);
  // acc[level][row] is a vector of W lanes, flattened.
  const numLevels = 4;
  const levelPower = Math.max(4, Math.floor((sizeIlp <= 1 ? 0 : Math.ceil(Math.log2(sizeIlp))) / numLevels));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  const acc = new Float32Array(numLevels * 4 * W);
  const addInto = (dst: number, src: number) => {
    for (let l = 0; l < W; l++) acc[dst + l] = f(acc[dst + l] + acc[src + l]);
  };
  const addVector = (dst: number, v: number) => {
    for (let l = 0; l < W; l++) acc[dst + l] = f(acc[dst + l] + a[v * W + l]);
  };
  let i = 0;
  while (i + levelStep <= sizeIlp) {
    for (let j = 0; j < levelStep; ++j, ++i) for (let k = 0; k < 4; k++) addVector(k * W, i * 4 + k);
    for (let j = 1; j < numLevels; ++j) {
      for (let k = 0; k < 4; k++) {
        addInto((j * 4 + k) * W, ((j - 1) * 4 + k) * W);
        acc.fill(0, ((j - 1) * 4 + k) * W, ((j - 1) * 4 + k + 1) * W);
      }
      if ((i & (levelMask * 2 ** (j * levelPower))) !== 0) break;
    }
  }
  for (; i < sizeIlp; ++i) for (let k = 0; k < 4; k++) addVector(k * W, i * 4 + k);
  for (let j = 1; j < numLevels; ++j) for (let k = 0; k < 4; k++) addInto(k * W, (j * 4 + k) * W);
  for (let v = sizeIlp * 4; v < V; v++) addVector(0, v);
  for (let k = 1; k < 4; k++) addInto(0, k * W);
  let total = 0;
  for (let e = V * W; e < a.length; e++) total = f(total + a[e]);
  for (let l = 0; l < W; l++) total = f(total + acc[l]);
  return total;
}

/** torch's float32 mean (sum, then divide by the count). */
function meanF32(x: Float32Array): number {
  return Math.fround(torchSumF32(x) / Math.max(1, x.length));
}

/** Quantizes raw float values of `shape` (the loader's entry point: bf16/f16 bytes need no float32 copy). */
export function quantize4bitRaw(src: FloatSource, shape: number[], opts: Quantize4bitOptions = {}): { packed: Uint8Array; state: QuantState } {
  const quantType = checkQuantType(opts.quant_type ?? "fp4");
  const blocksize = checkBlocksize(opts.blocksize ?? 64);
  const n = shape.reduce((a, b) => a * b, 1);
  if (src.data.length !== n) throw new RangeError(`[quant] ${src.data.length} values cannot have shape [${shape.join(", ")}]`);
  if (n === 0) throw new RangeError("[quant] cannot quantize an empty tensor");
  const packed = new Uint8Array((n + 1) >> 1);
  const absmax = new Float32Array(Math.ceil(n / blocksize));
  kernels().quantize4bit(packed, absmax, src.data, SOURCE_CODE[src.dtype], n, blocksize, QUANT_TYPE_CODE[quantType]);
  const code = code4bit(quantType);
  if (!opts.compress_statistics) return { packed, state: new QuantState(quantType, blocksize, [...shape], src.dtype, absmax, code) };
  // Double quantization: 8-bit dynamic codes of (absmax - mean), blocks of 256.
  const offset = meanF32(absmax);
  const shifted = new Float32Array(absmax.length);
  for (let i = 0; i < absmax.length; i++) shifted[i] = Math.fround(absmax[i] - offset);
  const nestedCode = dynamicMap();
  const { q, absmax: nestedAbsmax } = quantizeBlockwise(shifted, { code: nestedCode, blocksize: NESTED_BLOCKSIZE });
  const state2: NestedState = { absmax: nestedAbsmax, code: nestedCode, blocksize: NESTED_BLOCKSIZE, dtype: "float32" };
  return { packed, state: new QuantState(quantType, blocksize, [...shape], src.dtype, q, code, offset, state2) };
}

/**
 * bitsandbytes.functional.quantize_4bit: `[packed, state]` with packed a uint8 tensor of
 * shape [ceil(n/2), 1], two codes per byte, the first element in the high nibble.
 */
export function quantize4bit(t: Tensor, opts: Quantize4bitOptions = {}): [Tensor, QuantState] {
  if (t.dtype !== "float32" && t.dtype !== "bfloat16" && t.dtype !== "float16") {
    throw new TypeError(`[quant] quantize4bit needs a float32, bfloat16 or float16 tensor, got ${t.dtype}`);
  }
  const c = t.isContiguous() ? t : t.contiguousCopy();
  const { packed, state } = quantize4bitRaw({ data: c.data as Float32Array | Uint16Array, dtype: t.dtype }, t.shape, opts);
  if (c !== t) c.dispose();
  return [Tensor.fromTypedArray(packed, [packed.length, 1], "uint8"), state];
}

/** Block scales as float32 (decoding the nested level when double-quantized). */
export function blockScales(state: QuantState): Float32Array {
  if (!state.state2) return state.absmax as Float32Array;
  return dequantizeBlockwise(state.absmax as Uint8Array, state.state2.absmax, { code: state.state2.code, blocksize: state.state2.blocksize, offset: state.offset ?? 0 });
}

/** bitsandbytes.functional.dequantize_4bit: a float32 tensor of state.shape. */
export function dequantize4bit(packed: Tensor | Uint8Array, state: QuantState): Tensor {
  const bytes = packed instanceof Tensor ? (packed.contiguous().data as Uint8Array) : packed;
  const n = state.numel;
  if (bytes.length < (n + 1) >> 1) throw new RangeError(`[quant] ${bytes.length} packed bytes cannot hold ${n} 4-bit values (shape [${state.shape.join(", ")}])`);
  const out = Tensor.empty(state.shape);
  kernels().dequantize4bit(out.f32(), bytes, blockScales(state), n, state.blocksize, QUANT_TYPE_CODE[state.quant_type]);
  return out;
}

/** Row-wise int8 weights (LLM.int8): bitsandbytes' Int8Params `CB` (out, in) and `SCB` (out). */
export interface Int8Rows {
  codes: Int8Array;
  /** Per-row absmax (SCB): a row's values are codes * SCB / 127. */
  scb: Float32Array;
  rows: number;
  cols: number;
}

/**
 * bitsandbytes' int8_vectorwise_quant of a weight, bit for bit (as Int8Params quantizes it):
 * values rounded to float16 first, SCB = max |row|, CB = round((1 / SCB) * 127 * x).
 */
export function quantizeInt8Rows(src: FloatSource, rows: number, cols: number): Int8Rows {
  const n = rows * cols;
  if (src.data.length !== n) throw new RangeError(`[quant] ${src.data.length} values cannot have shape [${rows}, ${cols}]`);
  if (n === 0) throw new RangeError("[quant] cannot quantize an empty tensor");
  const codes = new Int8Array(n);
  const scb = new Float32Array(rows);
  kernels().quantizeInt8Rows(new Uint8Array(codes.buffer), scb, src.data, SOURCE_CODE[src.dtype], rows, cols);
  return { codes, scb, rows, cols };
}

/** bitsandbytes' int8_vectorwise_dequant (as PEFT dequantizes to merge): (CB * SCB) * (1/127) in float32. */
export function dequantizeInt8Rows(q: Int8Rows): Tensor {
  const out = Tensor.empty([q.rows, q.cols]);
  const o = out.f32();
  const inv127 = Math.fround(1 / 127);
  for (let r = 0; r < q.rows; r++) {
    const s = q.scb[r];
    for (let c = 0, e = r * q.cols; c < q.cols; c++, e++) o[e] = Math.fround(Math.fround(q.codes[e] * s) * inv127);
  }
  return out;
}
