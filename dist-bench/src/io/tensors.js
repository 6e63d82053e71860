/** Bridge between safetensors' raw bytes and Tensors (and back). */
import { Tensor } from "../tensor/index.js";
import { readSafetensors, writeSafetensors, rawToFloat32, rawToInt32 } from "./safetensors.js";
/** A Tensor holding a copy of the raw tensor's values (floats as float32, integers as int32). */
export function rawToTensor(raw, name = "tensor", opts = {}) {
    const shape = raw.shape;
    if (opts.keep16bit && (raw.dtype === "BF16" || raw.dtype === "F16")) {
        const n = raw.data.byteLength / 2;
        const out = Tensor.empty(shape, raw.dtype === "BF16" ? "bfloat16" : "float16");
        new Uint8Array(out.data.buffer, out.data.byteOffset, n * 2).set(raw.data);
        return out;
    }
    if (raw.dtype === "U8" || raw.dtype === "BOOL") {
        const out = Tensor.empty(shape, "uint8");
        out.data.set(raw.data);
        return out;
    }
    const isInt = raw.dtype === "I64" || raw.dtype === "I32" || raw.dtype === "I16" || raw.dtype === "I8";
    const out = Tensor.empty(shape, isInt ? "int32" : "float32");
    out.data.set(isInt ? rawToInt32(raw, name) : rawToFloat32(raw, name));
    return out;
}
const RAW_DTYPE = {
    float32: "F32", bfloat16: "BF16", float16: "F16", int32: "I32", uint8: "U8",
};
/** The tensor's bytes in safetensors form (a copy when it is not contiguous). */
export function tensorToRaw(t) {
    const c = t.isContiguous() ? t : t.contiguousCopy();
    const d = c.data;
    const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
    if (c !== t)
        c.dispose();
    return { dtype: RAW_DTYPE[t.dtype], shape: [...t.shape], data: bytes };
}
/** Every tensor of a safetensors file, as Tensors. */
export function loadTensors(file, opts = {}) {
    const out = new Map();
    for (const [name, raw] of readSafetensors(file).tensors)
        out.set(name, rawToTensor(raw, name, opts));
    return out;
}
/** Writes tensors to a safetensors file atomically. */
export function saveTensors(file, tensors, metadata = null) {
    const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
    writeSafetensors(file, new Map(entries.map(([k, t]) => [k, tensorToRaw(t)])), metadata);
}
//# sourceMappingURL=tensors.js.map