import { test } from "node:test";
import assert from "node:assert/strict";
import { embedding, gather, indexSelect, tensor } from "../../../src/index.js";
import { leaf } from "../../helpers/gradcheck.js";
test("embedding picks rows and keeps the ids' shape", () => {
    const w = tensor([[0, 1], [10, 11], [20, 21]]);
    const ids = tensor([[2, 0], [1, 1]], { dtype: "int32" });
    const y = embedding(ids, w);
    assert.deepEqual(y.shape, [2, 2, 2]);
    assert.deepEqual(y.tolist(), [[[20, 21], [0, 1]], [[10, 11], [10, 11]]]);
    assert.deepEqual(embedding([1], w).tolist(), [[10, 11]]);
});
test("embedding backward accumulates repeated ids and skips the padding row", () => {
    const w = leaf([4, 3], 1);
    embedding([[1, 1, 0, 3]], w, 0).sum().backward();
    assert.deepEqual(w.grad.tolist(), [[0, 0, 0], [2, 2, 2], [0, 0, 0], [1, 1, 1]]);
    const w2 = leaf([4, 3], 1);
    embedding([[3, 3]], w2, -1).sum().backward();
    assert.deepEqual(Array.from(w2.grad.toFloat32Array()), new Array(12).fill(0));
});
test("embedding accepts non-contiguous ids", () => {
    const w = tensor([[0], [1], [2], [3]]);
    const ids = tensor([[0, 1], [2, 3]], { dtype: "int32" }).T;
    assert.deepEqual(embedding(ids, w).reshape(4).tolist(), [0, 2, 1, 3]);
});
test("indexSelect and gather follow torch's semantics", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(indexSelect(x, 1, [2, 0]).tolist(), [[3, 1], [6, 4]]);
    assert.deepEqual(indexSelect(x, 0, tensor([1], { dtype: "int32" })).tolist(), [[4, 5, 6]]);
    assert.deepEqual(gather(x, 1, [[2, 2], [0, 1]]).tolist(), [[3, 3], [4, 5]]);
    assert.deepEqual(gather(x, 0, [[1, 0, 1]]).tolist(), [[4, 2, 6]]);
    const g = leaf([2, 3], 1);
    gather(g, 1, [[2, 2], [0, 1]]).sum().backward();
    assert.deepEqual(g.grad.tolist(), [[0, 0, 2], [1, 1, 0]]);
});
//# sourceMappingURL=embedding.test.js.map