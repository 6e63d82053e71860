/** Bridge between safetensors' raw bytes and Tensors (and back). */
import { type DType, Tensor } from "../tensor/index.js";
import { type RawTensor, readSafetensors, writeSafetensors, rawToFloat32, rawToInt32, decode16 } from "./safetensors.js";

export interface ToTensorOptions {
  /** Keep 16-bit floats as they are (bfloat16/float16) instead of converting to float32. */
  keep16bit?: boolean;
}

/** A Tensor holding a copy of the raw tensor's values (floats as float32, integers as int32). */
export function rawToTensor(raw: RawTensor, name = "tensor", opts: ToTensorOptions = {}): Tensor {
  const shape = raw.shape;
  if (opts.keep16bit && (raw.dtype === "BF16" || raw.dtype === "F16")) {
    const n = raw.data.byteLength / 2;
    const out = Tensor.empty(shape, raw.dtype === "BF16" ? "bfloat16" : "float16");
    new Uint8Array(out.data.buffer, out.data.byteOffset, n * 2).set(raw.data);
    return out;
  }
  if (raw.dtype === "U8" || raw.dtype === "BOOL") {
    const out = Tensor.empty(shape, "uint8");
    (out.data as Uint8Array).set(raw.data);
    return out;
  }
  if (raw.dtype === "BF16" || raw.dtype === "F16") {
    const out = Tensor.empty(shape, "float32");
    decode16(raw, out.data as Float32Array); // straight into the storage: no float32 copy in between
    return out;
  }
  const isInt = raw.dtype === "I64" || raw.dtype === "I32" || raw.dtype === "I16" || raw.dtype === "I8";
  const out = Tensor.empty(shape, isInt ? "int32" : "float32");
  (out.data as Float32Array | Int32Array).set(isInt ? rawToInt32(raw, name) : rawToFloat32(raw, name));
  return out;
}

const RAW_DTYPE: Record<DType, RawTensor["dtype"]> = {
  float32: "F32", bfloat16: "BF16", float16: "F16", int32: "I32", uint8: "U8",
};

/** The tensor's bytes in safetensors form (a copy when it is not contiguous). */
export function tensorToRaw(t: Tensor): RawTensor {
  const c = t.isContiguous() ? t : t.contiguousCopy();
  const d = c.data;
  const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  if (c !== t) c.dispose();
  return { dtype: RAW_DTYPE[t.dtype], shape: [...t.shape], data: bytes };
}

/** Every tensor of a safetensors file, as Tensors. */
export function loadTensors(file: string, opts: ToTensorOptions = {}): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [name, raw] of readSafetensors(file).tensors) out.set(name, rawToTensor(raw, name, opts));
  return out;
}

/** Writes tensors to a safetensors file atomically. */
export function saveTensors(file: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> | null = null): void {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  writeSafetensors(file, new Map(entries.map(([k, t]) => [k, tensorToRaw(t)])), metadata);
}
