/**
 * GGUF version 3 (llama.cpp's file format): header, typed key/value metadata, tensor infos
 * (ggml dimension order: fastest-varying first), then the tensor data, each tensor aligned
 * to general.alignment (32). Produces the file as a list of byte parts for writeFileAtomic.
 */
import { GgmlType, type GgmlTypeName } from "./gguf_quant.js";

/** gguf_type codes of metadata values. */
const ValueType = { UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7, STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12 } as const;

export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: string[] }
  | { type: "f32[]"; value: ArrayLike<number> }
  | { type: "i32[]"; value: ArrayLike<number> };

export const ALIGNMENT = 32;
/** llama.cpp refuses longer strings and more dimensions; refuse them here rather than write a file it rejects. */
const MAX_STRING_BYTES = 1 << 30;
const MAX_DIMS = 4;

interface TensorEntry {
  name: string;
  /** Shape as PyTorch writes it (slowest-varying first); reversed into ggml's order when written. */
  shape: number[];
  type: GgmlTypeName;
  data: Uint8Array;
}

/** Growable little-endian byte sink for the header. */
class ByteSink {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.room(1); this.view.setUint8(this.length, v); this.length += 1; }
  u32(v: number) { this.room(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number) { this.room(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  f32(v: number) { this.room(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  u64(v: number) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`[gguf] ${v} is not a valid unsigned 64-bit size`);
    this.room(8); this.view.setBigUint64(this.length, BigInt(v), true); this.length += 8;
  }
  str(s: string) {
    const bytes = Buffer.from(s, "utf8");
    if (bytes.length > MAX_STRING_BYTES) throw new RangeError(`[gguf] a string of ${bytes.length} bytes is too long`);
    this.u64(bytes.length);
    this.room(bytes.length); this.buf.set(bytes, this.length); this.length += bytes.length;
  }
  pad(to: number) { while (this.length % to) this.u8(0); }
  bytes(): Uint8Array { return this.buf.slice(0, this.length); }
}

export class GgufWriter {
  private readonly kv = new Map<string, GgufValue>();
  private readonly tensors: TensorEntry[] = [];

  set(key: string, v: GgufValue): void {
    if (this.kv.has(key)) throw new Error(`[gguf] metadata key "${key}" set twice`);
    this.kv.set(key, v);
  }

  addTensor(name: string, shape: number[], type: GgmlTypeName, data: Uint8Array): void {
    if (shape.length < 1 || shape.length > MAX_DIMS) throw new RangeError(`[gguf] ${name}: ${shape.length} dimensions; GGUF tensors have 1 to ${MAX_DIMS}`);
    if (Buffer.byteLength(name) >= 64) throw new RangeError(`[gguf] tensor name "${name}" is longer than llama.cpp's 63 bytes`);
    if (this.tensors.some((t) => t.name === name)) throw new Error(`[gguf] tensor "${name}" added twice`);
    this.tensors.push({ name, shape, type, data });
  }

  /** The whole file: header + metadata + tensor infos (padded), then each tensor's bytes (padded). */
  parts(): Uint8Array[] {
    const h = new ByteSink();
    h.u32(0x46554747); // "GGUF" read as a little-endian u32
    h.u32(3);
    h.u64(this.tensors.length);
    h.u64(this.kv.size + 1);
    h.str("general.alignment");
    h.u32(ValueType.UINT32);
    h.u32(ALIGNMENT);
    for (const [key, v] of this.kv) {
      h.str(key);
      writeValue(h, v);
    }
    let offset = 0;
    for (const t of this.tensors) {
      h.str(t.name);
      h.u32(t.shape.length);
      for (const d of [...t.shape].reverse()) h.u64(d);
      h.u32(GgmlType[t.type]);
      h.u64(offset);
      offset += t.data.byteLength;
      offset += (ALIGNMENT - (offset % ALIGNMENT)) % ALIGNMENT;
    }
    h.pad(ALIGNMENT);
    const parts: Uint8Array[] = [h.bytes()];
    for (const t of this.tensors) {
      parts.push(t.data);
      const pad = (ALIGNMENT - (t.data.byteLength % ALIGNMENT)) % ALIGNMENT;
      if (pad) parts.push(new Uint8Array(pad));
    }
    return parts;
  }
}

function writeValue(h: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case "u32": h.u32(ValueType.UINT32); h.u32(v.value); return;
    case "i32": h.u32(ValueType.INT32); h.i32(v.value); return;
    case "f32": h.u32(ValueType.FLOAT32); h.f32(v.value); return;
    case "bool": h.u32(ValueType.BOOL); h.u8(v.value ? 1 : 0); return;
    case "string": h.u32(ValueType.STRING); h.str(v.value); return;
    case "string[]":
      h.u32(ValueType.ARRAY); h.u32(ValueType.STRING); h.u64(v.value.length);
      for (const s of v.value) h.str(s);
      return;
    case "f32[]":
      h.u32(ValueType.ARRAY); h.u32(ValueType.FLOAT32); h.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) h.f32(v.value[i]);
      return;
    case "i32[]":
      h.u32(ValueType.ARRAY); h.u32(ValueType.INT32); h.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) h.i32(v.value[i]);
      return;
  }
}
