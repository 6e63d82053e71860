import { test } from "node:test";
import assert from "node:assert/strict";
import { DTYPE_SIZE, isSafetensorsDtype } from "../../src/io/dtypes.js";
import * as safetensors from "../../src/io/safetensors.js";
test("one dtype table serves the safetensors reader and the byte conversions", () => {
    assert.equal(safetensors.DTYPE_SIZE, DTYPE_SIZE);
    assert.equal(safetensors.isSafetensorsDtype, isSafetensorsDtype);
    assert.deepEqual(DTYPE_SIZE, { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 });
    const odd = { dtype: "F8_E4M3", shape: [1], data: new Uint8Array(1) };
    assert.throws(() => safetensors.rawToFloat32(odd, "x"), { message: `[safetensors] rawToFloat32(x): unknown dtype "F8_E4M3"; use one of ${Object.keys(DTYPE_SIZE).join(", ")}` });
    // Each size is the conversion's: n elements of a dtype are n * DTYPE_SIZE bytes.
    for (const dtype of Object.keys(DTYPE_SIZE)) {
        const raw = { dtype, shape: [3], data: new Uint8Array(3 * DTYPE_SIZE[dtype]) };
        assert.equal(dtype === "I64" || dtype === "I32" || dtype === "I16" || dtype === "I8" || dtype === "U8" || dtype === "BOOL" ? safetensors.rawToInt32(raw).length : safetensors.rawToFloat32(raw).length, 3, dtype);
    }
});
//# sourceMappingURL=dtypes.test.js.map