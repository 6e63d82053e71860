/**
 * ggml's tensor encodings that the GGUF exporter writes: F32, F16, and the 32-value block
 * formats Q8_0 (an f16 scale + 32 int8) and Q4_0 (an f16 scale + 32 4-bit values offset by 8),
 * with the rounding of ggml's reference quantizers (quantize_row_q8_0_ref, quantize_row_q4_0_ref).
 */
import { f32BitsToF16, float32ToRaw } from "../io/safetensors_convert.js";

/** ggml_type codes (ggml.h). */
export const GgmlType = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8 } as const;
export type GgmlTypeName = keyof typeof GgmlType;

export const QK = 32;
const BLOCK_BYTES: Record<GgmlTypeName, number> = { F32: 4, F16: 2, Q4_0: 2 + QK / 2, Q8_0: 2 + QK };

/** Bytes of `count` values in `type` (count a multiple of 32 for the block formats). */
export function encodedBytes(type: GgmlTypeName, count: number): number {
  return type === "F32" || type === "F16" ? count * BLOCK_BYTES[type] : (count / QK) * BLOCK_BYTES[type];
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toF16(x: number): number {
  f32[0] = x;
  return f32BitsToF16(u32[0]);
}

function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** values (row-major, rows of a multiple of 32 for the block types) in ggml's `type` layout. */
export function encodeTensor(values: Float32Array, type: GgmlTypeName): Uint8Array {
  if (type === "F32") return float32ToRaw(values, [values.length]).data;
  if (type === "F16") return float32ToRaw(values, [values.length], "F16").data;
  if (values.length % QK !== 0) throw new RangeError(`[gguf] ${type} needs a multiple of ${QK} values, got ${values.length}`);
  const out = new Uint8Array(encodedBytes(type, values.length));
  const view = new DataView(out.buffer);
  const blockBytes = BLOCK_BYTES[type];
  for (let b = 0; b < values.length / QK; b++) {
    const x = values.subarray(b * QK, (b + 1) * QK);
    const at = b * blockBytes;
    if (type === "Q8_0") {
      let amax = 0;
      for (const v of x) amax = Math.max(amax, Math.abs(v));
      const d = Math.fround(amax / 127);
      const id = d ? Math.fround(1 / d) : 0;
      view.setUint16(at, toF16(d), true);
      for (let j = 0; j < QK; j++) view.setInt8(at + 2 + j, roundHalfAway(Math.fround(x[j] * id)));
    } else {
      // The value of largest magnitude maps to -8, so its sign is kept exactly.
      let amax = 0;
      let max = 0;
      for (const v of x) {
        if (Math.abs(v) > amax) {
          amax = Math.abs(v);
          max = v;
        }
      }
      const d = Math.fround(max / -8);
      const id = d ? Math.fround(1 / d) : 0;
      view.setUint16(at, toF16(d), true);
      const q = (v: number) => Math.min(15, Math.trunc(Math.fround(Math.fround(v * id) + 8.5)));
      for (let j = 0; j < QK / 2; j++) out[at + 2 + j] = q(x[j]) | (q(x[j + QK / 2]) << 4);
    }
  }
  return out;
}
