/**
 * Loads the native addon (native/, built by node-gyp on `npm install`) and types its
 * export table (native/binding.cpp). Nothing above src/tensor/ imports this file.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

type F32 = Float32Array;
type I32 = Int32Array;
type U8 = Uint8Array;
type AnyArr = Float32Array | Int32Array | Uint8Array | Uint16Array;

export interface AttentionOptions {
  B: number; H: number; Hkv: number; Tq: number; Tk: number; D: number;
  scale: number; causal: boolean;
  keyMask: U8 | null; bias: F32 | null; biasBatch: number;
  dropoutP: number; seed: number;
  /** Row strides [b, head, position] of operands not stored contiguous (B, heads, T, D); absent/null = contiguous. */
  qRows?: number[] | null; kRows?: number[] | null; vRows?: number[] | null; outRows?: number[] | null;
  doutRows?: number[] | null; dqRows?: number[] | null; dkRows?: number[] | null; dvRows?: number[] | null;
}

export interface NativeKernels {
  numThreads(): number;
  availableCpus(): number;
  setNumThreads(n: number): void;
  cpuFeatures(): { avx2: boolean; fma: boolean; f16c: boolean; avx512f: boolean; avx512bw: boolean; simdLevel: number };
  setSimdLevel(level: number): void;
  gemm(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: F32, lda: number, strideA: number, B: F32 | Uint16Array, bDtype: number, ldb: number,
    strideB: number, beta: number, C: F32, ldc: number, strideC: number, batch: number,
    bias: F32 | null): void;
  unaryForward(op: number, out: F32, x: F32, n: number): void;
  unaryBackward(op: number, dx: F32, dy: F32, x: F32 | null, y: F32 | null, n: number): void;
  binaryForward(op: number, out: F32, shape: number[], a: F32, aStrides: number[], b: F32, bStrides: number[]): void;
  scalarForward(op: number, out: F32, x: F32, s: number, scalarFirst: boolean, n: number): void;
  whereForward(out: F32, shape: number[], cond: U8, cStrides: number[], a: F32, aStrides: number[], b: F32, bStrides: number[]): void;
  copyStrided(out: AnyArr, x: AnyArr, shape: number[], strides: number[], elemSize: number): void;
  cast(out: AnyArr, outDtype: number, x: AnyArr, xDtype: number, n: number): void;
  fill(out: F32, value: number, n: number): void;
  reduce(op: number, out: F32, x: F32, outer: number, R: number, inner: number): void;
  argmax(out: I32, x: F32, outer: number, R: number, inner: number): void;
  sumSquares(x: F32, n: number): number;
  softmaxForward(y: F32, x: F32, N: number, C: number): void;
  softmaxBackward(dx: F32, dy: F32, y: F32, N: number, C: number): void;
  logSoftmaxForward(y: F32, x: F32, N: number, C: number): void;
  logSoftmaxBackward(dx: F32, dy: F32, y: F32, N: number, C: number): void;
  layerNormForward(y: F32, mean: F32, rstd: F32, x: F32, w: F32 | null, b: F32 | null, N: number, C: number, eps: number): void;
  layerNormBackward(dx: F32 | null, dw: F32 | null, db: F32 | null, dy: F32, x: F32, w: F32 | null, mean: F32, rstd: F32, N: number, C: number): void;
  rmsNormForward(y: F32, rstd: F32, x: F32, w: F32 | null, N: number, C: number, eps: number): void;
  rmsNormBackward(dx: F32 | null, dw: F32 | null, dy: F32, x: F32, w: F32 | null, rstd: F32, N: number, C: number): void;
  embeddingForward(out: F32, ids: I32, weight: F32, N: number, C: number, V: number): void;
  embeddingBackward(dweight: F32, dout: F32, ids: I32, N: number, C: number, V: number, paddingIdx: number): void;
  indexSelectForward(out: F32, x: F32, idx: I32, outer: number, R: number, inner: number, nIdx: number): void;
  indexSelectBackward(dx: F32, dout: F32, idx: I32, outer: number, R: number, inner: number, nIdx: number): void;
  ropeForward(out: F32, x: F32, cos: F32, sin: F32, pos: I32, B: number, H: number, T: number, D: number, P: number, inverse: boolean): void;
  attentionForward(out: F32, lse: F32, q: F32, k: F32, v: F32, opts: AttentionOptions): void;
  attentionBackward(dq: F32 | null, dk: F32 | null, dv: F32 | null, dbias: F32 | null, dout: F32, q: F32, k: F32, v: F32, out: F32, lse: F32, opts: AttentionOptions): void;
  crossEntropyForward(lossRows: F32, lse: F32, logits: F32, targets: I32, N: number, V: number, ignoreIndex: number, labelSmoothing: number): void;
  crossEntropyBackward(dlogits: F32, dlossRows: F32, logits: F32, lse: F32, targets: I32, N: number, V: number, ignoreIndex: number, labelSmoothing: number): void;
  randomUniform(out: F32, n: number, seed: number, offset: number, low: number, high: number): void;
  randomNormal(out: F32, n: number, seed: number, offset: number, mean: number, std: number): void;
  dropoutForward(out: F32, x: F32, n: number, p: number, seed: number): void;
  adamwStep(p: F32, g: F32, m: F32, v: F32, n: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, bc1: number, bc2: number, gradScale: number): void;
  code4bit(quantType: number): F32;
  dynamicCode8bit(): F32;
  quantize4bit(packed: U8, absmax: F32, x: AnyArr, xDtype: number, n: number, blocksize: number, quantType: number): void;
  quantizeInt8Rows(codes: U8, rowAbsmax: F32, x: AnyArr, xDtype: number, rows: number, cols: number): void;
  dequantize4bit(out: F32, packed: U8, absmax: F32, n: number, blocksize: number, quantType: number): void;
  quantizeBlockwise8bit(q: U8, absmax: F32, x: F32, code: F32, n: number, blocksize: number): void;
  dequantizeBlockwise8bit(out: F32, q: U8, absmax: F32, code: F32, n: number, blocksize: number, offset: number): void;
  dynamicCode8bitUnsigned(): F32;
  adamw8bitStep(p: F32, g: F32, q1: U8, q2: U8, absmax1: F32, absmax2: F32, n: number, blocksize: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, bc1: number, bc2: number, gradScale: number): void;
  mapStateFile(path: string, bytes: number): ArrayBuffer;
  /** A zero-filled ArrayBuffer over its own pages (native/storage.h); unmapped when collected. */
  allocPages(bytes: number): ArrayBuffer;
  /** Returns an allocPages buffer's pages to the OS now (it reads as zeros after). */
  discardPages(buffer: ArrayBuffer): void;
  gemmQuantized(transA: boolean, transB: boolean, M: number, N: number, K: number, alpha: number,
    A: F32, lda: number, strideA: number, B: Quant4Operand | Int8Operand, ldb: number,
    beta: number, C: F32, ldc: number, strideC: number, batch: number): void;
}

/** A 4-bit matrix as gemmQuantized reads it (native/kernels.h Quant4Matrix). */
export interface Quant4Operand {
  packed: U8;
  n: number;
  blocksize: number;
  quantType: number;
  /** float32 block scales, or null when they are double-quantized (the nested fields). */
  absmax: F32 | null;
  absmaxQ?: U8;
  nestedAbsmax?: F32;
  nestedCode?: F32;
  nestedBlocksize?: number;
  offset?: number;
  /** Round decoded values to bfloat16 (bf16 compute). */
  roundBf16?: boolean;
}

/**
 * A row-wise int8 matrix (LLM.int8: codes with one absmax per row) as gemmQuantized reads it:
 * element (r, c) is codes[r * cols + c] * (rowAbsmax[r] * (1/127)), or the bare code when unscaled.
 */
export interface Int8Operand {
  /** The int8 codes' bytes (an Int8Array's memory seen as Uint8Array). */
  int8Codes: U8;
  rowAbsmax: F32;
  rows: number;
  cols: number;
  unscaled?: boolean;
}

/** Op codes shared with native/kernels.h. Only append. */
export const UnaryOp = {
  neg: 0, exp: 1, log: 2, sqrt: 3, rsqrt: 4, tanh: 5, sigmoid: 6, relu: 7,
  gelu_erf: 8, gelu_tanh: 9, silu: 10, abs: 11, square: 12, reciprocal: 13, sin: 14, cos: 15,
} as const;
export type UnaryOpName = keyof typeof UnaryOp;

export const BinaryOp = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, max: 5, min: 6,
  eq: 7, ne: 8, lt: 9, le: 10, gt: 11, ge: 12,
} as const;
export type BinaryOpName = keyof typeof BinaryOp;

export const ReduceOp = { sum: 0, mean: 1, max: 2, min: 3 } as const;

/** The path of a built addon of this package (build/Release/<name>.node). */
export function findAddon(name = "tunelab_native"): string {
  // dist/src/tensor/native.js and src/tensor/native.ts both sit three levels below the root.
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [resolve(here, "../../.."), resolve(here, "../..")];
  for (const root of candidates) {
    for (const build of ["Release", "Debug"]) {
      const p = join(root, "build", build, `${name}.node`);
      if (existsSync(p)) return p;
    }
  }
  throw new Error(
    `[native] the ${name} addon is not built (looked for build/Release/${name}.node); ` +
      "run `npm install` (or `npx node-gyp rebuild`) in the tunelab folder — it needs g++ and Node's headers",
  );
}

let loaded: NativeKernels | null = null;

export function native(): NativeKernels {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = require(findAddon()) as NativeKernels;
  }
  return loaded;
}
