import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, where, maskedFill } from "../../../src/index.js";
test("where: any non-zero mask value selects a, whatever the mask's dtype", () => {
    const a = tensor([1, 1, 1, 1]);
    const b = tensor([0, 0, 0, 0]);
    // 0.5 and -1 would truncate/wrap in a float → uint8 cast; 256 would wrap to 0 from int32.
    assert.deepEqual(where(tensor([0.5, -1, 0, NaN]), a, b).tolist(), [1, 1, 0, 1]);
    assert.deepEqual(where(tensor(new Int32Array([256, 0, -3, 1])), a, b).tolist(), [1, 0, 1, 1]);
    assert.deepEqual(where(tensor([0.25, 0, 3, 0], { dtype: "bfloat16" }), a, b).tolist(), [1, 0, 1, 0]);
    assert.deepEqual(maskedFill(tensor([5, 6]), tensor([0.5, 0]), -1).tolist(), [-1, 6]);
});
test("where: a mask from a transposed view broadcasts against a and b", () => {
    const cond = tensor([[1, 0], [0, 1]]).T; // non-contiguous
    const out = where(cond, tensor([[10], [20]]), tensor([0]));
    assert.deepEqual(out.tolist(), [[10, 0], [0, 20]]);
});
//# sourceMappingURL=where.test.js.map