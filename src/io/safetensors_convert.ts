// Conversions between safetensors' raw little-endian bytes and the Float32Array / Int32Array
// the tensor engine computes with. F16 and BF16 decode exactly; encoding rounds to nearest even.
import * as os from "node:os";
import type { RawTensor } from "./safetensors.js";
import { DTYPE_SIZE } from "./dtypes.js";

const LITTLE_ENDIAN_HOST = os.endianness() === "LE";

type TypedArrayCtor<T> = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; BYTES_PER_ELEMENT: number };

function checkRaw(raw: RawTensor, where: string): number {
  if (!LITTLE_ENDIAN_HOST) throw new Error(`[safetensors] ${where}: big-endian hosts are not supported; run on a little-endian machine`);
  const size = DTYPE_SIZE[raw.dtype];
  if (size === undefined) throw new Error(`[safetensors] ${where}: unknown dtype ${JSON.stringify(raw.dtype)}; use one of ${Object.keys(DTYPE_SIZE).join(", ")}`);
  if (raw.data.byteLength % size !== 0) {
    throw new Error(`[safetensors] ${where}: ${raw.data.byteLength} bytes is not a whole number of ${raw.dtype} elements; the tensor is corrupt`);
  }
  return raw.data.byteLength / size;
}

/** A typed view of the bytes, zero-copy when the offset is aligned, else over an aligned copy. */
function view<T>(data: Uint8Array, Ctor: TypedArrayCtor<T>): T {
  const n = data.byteLength / Ctor.BYTES_PER_ELEMENT;
  if (data.byteOffset % Ctor.BYTES_PER_ELEMENT === 0) return new Ctor(data.buffer, data.byteOffset, n);
  const copy = new Uint8Array(data.byteLength);
  copy.set(data);
  return new Ctor(copy.buffer, 0, n);
}

let f16Table: Float32Array | null = null;

/** All 65,536 half-precision values, decoded once (256 KiB). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) table[h] = sign * mant * 2 ** -24;
    else if (exp === 31) table[h] = mant ? NaN : sign * Infinity;
    else table[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  f16Table = table;
  return table;
}

/**
 * Any dtype as float32. F32 returns a view of the same bytes (no copy) when aligned: writing
 * to the result writes to the tensor. I64 values beyond 2^24 round as float32 does.
 */
export function rawToFloat32(raw: RawTensor, name = "tensor"): Float32Array {
  const n = checkRaw(raw, `rawToFloat32(${name})`);
  switch (raw.dtype) {
    case "F32":
      return view(raw.data, Float32Array);
    case "F64":
      return Float32Array.from(view(raw.data, Float64Array));
    case "F16":
    case "BF16":
      return decode16(raw, new Float32Array(n));
    case "I64": {
      const words = view(raw.data, Int32Array);
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = words[2 * i + 1] * 4294967296 + (words[2 * i] >>> 0);
      return out;
    }
    case "I32":
      return Float32Array.from(view(raw.data, Int32Array));
    case "I16":
      return Float32Array.from(view(raw.data, Int16Array));
    case "I8":
      return Float32Array.from(new Int8Array(raw.data.buffer, raw.data.byteOffset, n));
    case "U8":
    case "BOOL":
      return Float32Array.from(raw.data);
  }
}

/**
 * F16 or BF16 values decoded into `out` (exact; out.length elements), with no other copy: a
 * loader decodes straight into a tensor's storage.
 */
export function decode16(raw: RawTensor, out: Float32Array): Float32Array {
  const n = out.length;
  if (raw.data.byteLength !== 2 * n) throw new Error(`[safetensors] decode16: ${raw.data.byteLength} bytes for ${n} elements`);
  const src = view(raw.data, Uint16Array);
  if (raw.dtype === "BF16") {
    const bits = new Uint32Array(out.buffer, out.byteOffset, n);
    for (let i = 0; i < n; i++) bits[i] = src[i] << 16;
  } else {
    const table = halfTable();
    for (let i = 0; i < n; i++) out[i] = table[src[i]];
  }
  return out;
}

/** Integer dtypes as int32 (I32 is a view when aligned). Floats are refused; I64 values must fit in int32. */
export function rawToInt32(raw: RawTensor, name = "tensor"): Int32Array {
  const where = `rawToInt32(${name})`;
  const n = checkRaw(raw, where);
  switch (raw.dtype) {
    case "I32":
      return view(raw.data, Int32Array);
    case "I64": {
      const words = view(raw.data, Int32Array);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const lo = words[2 * i];
        const hi = words[2 * i + 1];
        if (hi !== lo >> 31) {
          const value = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
          throw new Error(
            `[safetensors] ${where}: I64 value ${value} at index ${i} is outside the int32 range [-2147483648, 2147483647]; ` +
              `token ids and labels must fit in int32 — check that this tensor holds indices`,
          );
        }
        out[i] = lo;
      }
      return out;
    }
    case "I16":
      return Int32Array.from(view(raw.data, Int16Array));
    case "I8":
      return Int32Array.from(new Int8Array(raw.data.buffer, raw.data.byteOffset, n));
    case "U8":
    case "BOOL":
      return Int32Array.from(raw.data);
    default:
      throw new Error(`[safetensors] ${where}: dtype ${raw.dtype} is floating point; use rawToFloat32 for it`);
  }
}

/** float32 values as a RawTensor of F32 (a view, no copy), BF16 or F16 (round to nearest even). */
export function float32ToRaw(data: Float32Array, shape: number[], dtype: "F32" | "BF16" | "F16" = "F32"): RawTensor {
  let numel = 1;
  for (const d of shape) numel *= d;
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || numel !== data.length) {
    throw new Error(`[safetensors] float32ToRaw: shape [${shape.join(", ")}] holds ${numel} elements but data has ${data.length}; pass the tensor's shape`);
  }
  if (dtype === "F32") return { dtype, shape: shape.slice(), data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  if (dtype !== "BF16" && dtype !== "F16") throw new Error(`[safetensors] float32ToRaw: dtype ${JSON.stringify(dtype)} is not a float target; use "F32", "BF16" or "F16"`);
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length); // a Float32Array is always 4-aligned
  const out = new Uint16Array(data.length);
  const encode = dtype === "BF16" ? f32BitsToBf16 : f32BitsToF16;
  for (let i = 0; i < data.length; i++) out[i] = encode(bits[i]);
  return { dtype, shape: shape.slice(), data: new Uint8Array(out.buffer) };
}

export function f32BitsToBf16(bits: number): number {
  if ((bits & 0x7fffffff) > 0x7f800000) return (bits >>> 16) | 0x0040; // NaN stays NaN (quiet)
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f32BitsToF16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow: ±Inf
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: ±0
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    if (rem > half || (rem === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++; // a carry into the exponent is the correct rounding
  return sign | r;
}
