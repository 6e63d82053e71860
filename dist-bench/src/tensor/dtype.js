export const DTYPE_CODE = {
    float32: 0,
    bfloat16: 1,
    float16: 2,
    int32: 3,
    uint8: 4,
};
export const DTYPE_BYTES = {
    float32: 4,
    bfloat16: 2,
    float16: 2,
    int32: 4,
    uint8: 1,
};
export const DTYPES = ["float32", "bfloat16", "float16", "int32", "uint8"];
export function isFloatingDtype(d) {
    return d === "float32" || d === "bfloat16" || d === "float16";
}
/** Accepts PyTorch spellings too ("float", "bf16", "torch.float16"). */
export function parseDtype(name) {
    const key = name.replace(/^torch\./, "").toLowerCase();
    const aliases = {
        float32: "float32", float: "float32", f32: "float32", fp32: "float32",
        bfloat16: "bfloat16", bf16: "bfloat16",
        float16: "float16", half: "float16", f16: "float16", fp16: "float16",
        int32: "int32", int: "int32", i32: "int32",
        uint8: "uint8", u8: "uint8", bool: "uint8",
    };
    const d = aliases[key];
    if (!d) {
        throw new TypeError(`[dtype] unknown dtype "${name}"; use one of ${DTYPES.join(", ")}`);
    }
    return d;
}
export function typedArrayConstructor(d) {
    switch (d) {
        case "float32": return Float32Array;
        case "int32": return Int32Array;
        case "uint8": return Uint8Array;
        default: return Uint16Array;
    }
}
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);
/** bfloat16 bits -> number. */
export function bf16ToNumber(bits) {
    u32Scratch[0] = bits << 16;
    return f32Scratch[0];
}
/** number -> bfloat16 bits, round to nearest even (NaN stays NaN). */
export function numberToBf16(x) {
    f32Scratch[0] = x;
    const u = u32Scratch[0];
    if (Number.isNaN(x))
        return 0x7fc0;
    return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}
/** float16 bits -> number. */
export function f16ToNumber(h) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const f = h & 0x3ff;
    if (e === 0)
        return s * f * 2 ** -24;
    if (e === 31)
        return f ? NaN : s * Infinity;
    return s * (1 + f / 1024) * 2 ** (e - 15);
}
//# sourceMappingURL=dtype.js.map