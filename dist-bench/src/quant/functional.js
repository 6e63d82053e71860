/**
 * bitsandbytes' functional API for blockwise quantization, bit-compatible with it:
 * quantize4bit / dequantize4bit (NF4, FP4; optional double quantization of the block
 * scales, "compress_statistics"), and 8-bit blockwise quantization with the signed dynamic
 * map. A QuantState holds what bitsandbytes' QuantState holds, under the same names, and
 * converts to and from the keys bitsandbytes writes into a saved checkpoint.
 */
import { Tensor } from "../tensor/index.js";
import { kernels } from "../tensor/backend.js";
/** Codes shared with native/kernels.h (QuantType). */
const QUANT_TYPE_CODE = { fp4: 0, nf4: 1 };
const SOURCE_CODE = { float32: 0, bfloat16: 1, float16: 2 };
/** bitsandbytes' block sizes for 4-bit quantization. */
export const BLOCKSIZES_4BIT = [32, 64, 128, 256, 512, 1024, 2048, 4096];
/** Block size of the second level of double quantization (bitsandbytes hard-codes 256). */
export const NESTED_BLOCKSIZE = 256;
/** bitsandbytes' QuantState for a 4-bit tensor. */
export class QuantState {
    quant_type;
    blocksize;
    shape;
    dtype;
    absmax;
    code;
    offset;
    state2;
    constructor(quant_type, blocksize, shape, 
    /** The dtype of the tensor that was quantized (what dequantization returns in bnb). */
    dtype, 
    /** float32 block scales, or their 8-bit codes when nested. */
    absmax, 
    /** The 16 code values (quant_map). */
    code, offset = null, state2 = null) {
        this.quant_type = quant_type;
        this.blocksize = blocksize;
        this.shape = shape;
        this.dtype = dtype;
        this.absmax = absmax;
        this.code = code;
        this.offset = offset;
        this.state2 = state2;
    }
    get nested() {
        return this.state2 !== null;
    }
    get numel() {
        return this.shape.reduce((a, b) => a * b, 1);
    }
    /** Bytes held: packed codes plus scales (what a 4-bit weight costs in memory). */
    get stateBytes() {
        return this.absmax.byteLength + this.code.byteLength + (this.state2 ? this.state2.absmax.byteLength + this.state2.code.byteLength : 0);
    }
    /** The operand descriptor gemm4bit and the decoder read. */
    operand(packed, roundBf16 = false) {
        const base = { packed, n: this.numel, blocksize: this.blocksize, quantType: QUANT_TYPE_CODE[this.quant_type], roundBf16 };
        if (!this.state2)
            return { ...base, absmax: this.absmax };
        return {
            ...base,
            absmax: null,
            absmaxQ: this.absmax,
            nestedAbsmax: this.state2.absmax,
            nestedCode: this.state2.code,
            nestedBlocksize: this.state2.blocksize,
            offset: this.offset ?? 0,
        };
    }
}
/** The 16 values of a 4-bit code (bitsandbytes' get_4bit_type). */
export function code4bit(quantType) {
    return kernels().code4bit(QUANT_TYPE_CODE[quantType]);
}
let dynamicCode = null;
/** bitsandbytes' create_dynamic_map(signed=True): 256 sorted values in [-0.993, 1]. */
export function dynamicMap() {
    dynamicCode ??= kernels().dynamicCode8bit();
    return dynamicCode.slice();
}
function checkQuantType(t) {
    if (t !== "nf4" && t !== "fp4")
        throw new RangeError(`[quant] quant_type must be "nf4" or "fp4", got ${JSON.stringify(t)}`);
    return t;
}
function checkBlocksize(b) {
    if (!BLOCKSIZES_4BIT.includes(b))
        throw new RangeError(`[quant] blocksize ${b} is not supported; use one of ${BLOCKSIZES_4BIT.join(", ")}`);
    return b;
}
/** 8-bit blockwise quantization (bitsandbytes' quantize_blockwise) with a sorted 256-entry code. */
export function quantizeBlockwise(x, opts = {}) {
    const code = opts.code ?? dynamicMap();
    const blocksize = opts.blocksize ?? 4096;
    const q = new Uint8Array(x.length);
    const absmax = new Float32Array(Math.ceil(x.length / blocksize));
    if (x.length)
        kernels().quantizeBlockwise8bit(q, absmax, x, code, x.length, blocksize);
    return { q, absmax };
}
/** out = code[q] * absmax[block] + offset (bitsandbytes' dequantize_blockwise, plus the nested offset). */
export function dequantizeBlockwise(q, absmax, opts = {}) {
    const out = new Float32Array(q.length);
    if (q.length)
        kernels().dequantizeBlockwise8bit(out, q, absmax, opts.code ?? dynamicMap(), q.length, opts.blocksize ?? 4096, opts.offset ?? 0);
    return out;
}
/**
 * Sum of float32 values in exactly the order torch's CPU sum kernel uses for a contiguous
 * float32 vector on an AVX2 machine (8-lane vectors; 4 accumulators with up to 4 cascade
 * levels, SumKernel.cpp), so the double-quantization offset (absmax.mean()) is bit-identical
 * to bitsandbytes'. Shorter than one vector: 4 scalar accumulators.
 */
export function torchSumF32(a) {
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
    const addInto = (dst, src) => {
        for (let l = 0; l < W; l++)
            acc[dst + l] = f(acc[dst + l] + acc[src + l]);
    };
    const addVector = (dst, v) => {
        for (let l = 0; l < W; l++)
            acc[dst + l] = f(acc[dst + l] + a[v * W + l]);
    };
    let i = 0;
    while (i + levelStep <= sizeIlp) {
        for (let j = 0; j < levelStep; ++j, ++i)
            for (let k = 0; k < 4; k++)
                addVector(k * W, i * 4 + k);
        for (let j = 1; j < numLevels; ++j) {
            for (let k = 0; k < 4; k++) {
                addInto((j * 4 + k) * W, ((j - 1) * 4 + k) * W);
                acc.fill(0, ((j - 1) * 4 + k) * W, ((j - 1) * 4 + k + 1) * W);
            }
            if ((i & (levelMask * 2 ** (j * levelPower))) !== 0)
                break;
        }
    }
    for (; i < sizeIlp; ++i)
        for (let k = 0; k < 4; k++)
            addVector(k * W, i * 4 + k);
    for (let j = 1; j < numLevels; ++j)
        for (let k = 0; k < 4; k++)
            addInto(k * W, (j * 4 + k) * W);
    for (let v = sizeIlp * 4; v < V; v++)
        addVector(0, v);
    for (let k = 1; k < 4; k++)
        addInto(0, k * W);
    let total = 0;
    for (let e = V * W; e < a.length; e++)
        total = f(total + a[e]);
    for (let l = 0; l < W; l++)
        total = f(total + acc[l]);
    return total;
}
/** torch's float32 mean (sum, then divide by the count). */
function meanF32(x) {
    return Math.fround(torchSumF32(x) / Math.max(1, x.length));
}
/** Quantizes raw float values of `shape` (the loader's entry point: bf16/f16 bytes need no float32 copy). */
export function quantize4bitRaw(src, shape, opts = {}) {
    const quantType = checkQuantType(opts.quant_type ?? "fp4");
    const blocksize = checkBlocksize(opts.blocksize ?? 64);
    const n = shape.reduce((a, b) => a * b, 1);
    if (src.data.length !== n)
        throw new RangeError(`[quant] ${src.data.length} values cannot have shape [${shape.join(", ")}]`);
    if (n === 0)
        throw new RangeError("[quant] cannot quantize an empty tensor");
    const packed = new Uint8Array((n + 1) >> 1);
    const absmax = new Float32Array(Math.ceil(n / blocksize));
    kernels().quantize4bit(packed, absmax, src.data, SOURCE_CODE[src.dtype], n, blocksize, QUANT_TYPE_CODE[quantType]);
    const code = code4bit(quantType);
    if (!opts.compress_statistics)
        return { packed, state: new QuantState(quantType, blocksize, [...shape], src.dtype, absmax, code) };
    // Double quantization: 8-bit dynamic codes of (absmax - mean), blocks of 256.
    const offset = meanF32(absmax);
    const shifted = new Float32Array(absmax.length);
    for (let i = 0; i < absmax.length; i++)
        shifted[i] = Math.fround(absmax[i] - offset);
    const nestedCode = dynamicMap();
    const { q, absmax: nestedAbsmax } = quantizeBlockwise(shifted, { code: nestedCode, blocksize: NESTED_BLOCKSIZE });
    const state2 = { absmax: nestedAbsmax, code: nestedCode, blocksize: NESTED_BLOCKSIZE, dtype: "float32" };
    return { packed, state: new QuantState(quantType, blocksize, [...shape], src.dtype, q, code, offset, state2) };
}
/**
 * bitsandbytes.functional.quantize_4bit: `[packed, state]` with packed a uint8 tensor of
 * shape [ceil(n/2), 1], two codes per byte, the first element in the high nibble.
 */
export function quantize4bit(t, opts = {}) {
    if (t.dtype !== "float32" && t.dtype !== "bfloat16" && t.dtype !== "float16") {
        throw new TypeError(`[quant] quantize4bit needs a float32, bfloat16 or float16 tensor, got ${t.dtype}`);
    }
    const c = t.isContiguous() ? t : t.contiguousCopy();
    const { packed, state } = quantize4bitRaw({ data: c.data, dtype: t.dtype }, t.shape, opts);
    if (c !== t)
        c.dispose();
    return [Tensor.fromTypedArray(packed, [packed.length, 1], "uint8"), state];
}
/** Block scales as float32 (decoding the nested level when double-quantized). */
export function blockScales(state) {
    if (!state.state2)
        return state.absmax;
    return dequantizeBlockwise(state.absmax, state.state2.absmax, { code: state.state2.code, blocksize: state.state2.blocksize, offset: state.offset ?? 0 });
}
/** bitsandbytes.functional.dequantize_4bit: a float32 tensor of state.shape. */
export function dequantize4bit(packed, state) {
    const bytes = packed instanceof Tensor ? packed.contiguous().data : packed;
    const n = state.numel;
    if (bytes.length < (n + 1) >> 1)
        throw new RangeError(`[quant] ${bytes.length} packed bytes cannot hold ${n} 4-bit values (shape [${state.shape.join(", ")}])`);
    const out = Tensor.empty(state.shape);
    kernels().dequantize4bit(out.f32(), bytes, blockScales(state), n, state.blocksize, QUANT_TYPE_CODE[state.quant_type]);
    return out;
}
//# sourceMappingURL=functional.js.map