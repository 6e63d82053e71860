import { test } from "node:test";
import assert from "node:assert/strict";
import { dropout, manualSeed, ones } from "../../../src/index.js";
import { leaf } from "../../helpers/gradcheck.js";
test("dropout is the identity in evaluation or at p = 0", () => {
    const x = leaf([5]);
    assert.equal(dropout(x, 0.5, false), x);
    assert.equal(dropout(x, 0), x);
    assert.ok(dropout(x, 1).toFloat32Array().every((v) => v === 0));
});
test("dropout keeps about 1-p of the elements, scaled by 1/(1-p)", () => {
    manualSeed(1);
    const y = dropout(ones([10000]), 0.25).toFloat32Array();
    let kept = 0;
    for (const v of y) {
        if (v !== 0) {
            kept++;
            assert.ok(Math.abs(v - 1 / 0.75) < 1e-6);
        }
    }
    assert.ok(Math.abs(kept / 10000 - 0.75) < 0.03, `kept ${kept}`);
});
test("dropout: manualSeed reproduces the mask, and backward uses the same mask", () => {
    const x = leaf([64], 2, 1, 3);
    manualSeed(9);
    const a = dropout(x, 0.5);
    manualSeed(9);
    const b = dropout(x, 0.5).toFloat32Array();
    assert.deepEqual(a.toFloat32Array(), b);
    a.sum().backward();
    const g = x.grad.toFloat32Array();
    b.forEach((v, i) => assert.equal(g[i], v === 0 ? 0 : 2));
});
//# sourceMappingURL=dropout.test.js.map