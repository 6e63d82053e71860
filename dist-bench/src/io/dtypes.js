// The safetensors dtypes tunelab reads and writes, and their item sizes: one table for the
// reader/writer (safetensors.ts) and the byte conversions (safetensors_convert.ts).
/** Bytes per element of each dtype. */
export const DTYPE_SIZE = {
    F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1,
};
export function isSafetensorsDtype(value) {
    return typeof value === "string" && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, value);
}
//# sourceMappingURL=dtypes.js.map