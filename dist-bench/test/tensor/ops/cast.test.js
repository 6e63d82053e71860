import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../../src/index.js";
import { leaf } from "../../helpers/gradcheck.js";
// Finite differences through bf16/f16 rounding are meaningless: the derivative of a cast
// is exactly the identity, so check that exactly.
test("float casts pass gradients through unchanged, as float32", () => {
    for (const dtype of ["bfloat16", "float16"]) {
        const x = leaf([5], 1);
        const r = tensor([1, -2, 3, 0.5, 4]);
        const y = x.to(dtype);
        assert.equal(y.dtype, dtype);
        assert.ok(y.requiresGrad);
        y.float().mul(r).sum().backward();
        assert.equal(x.grad.dtype, "float32");
        assert.deepEqual(Array.from(x.grad.toFloat32Array()), [1, -2, 3, 0.5, 4]);
    }
});
test("casts to integer dtypes cut the graph", () => {
    const y = leaf([3]).to("int32");
    assert.equal(y.requiresGrad, false);
});
//# sourceMappingURL=cast.test.js.map