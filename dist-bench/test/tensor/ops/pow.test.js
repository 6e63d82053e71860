// pow's gradients where the textbook formulas give 0 · inf: torch's pow_backward_self and
// pow_backward_exponent define them as 0 there, and so do we (no NaN into the optimizer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, pow } from "../../../src/index.js";
test("pow(x, 0) has a zero gradient, also at x = 0", () => {
    const x = tensor([0, 2, -3]).setRequiresGrad(true);
    pow(x, 0).sum().backward();
    assert.deepEqual(Array.from(x.grad.toFloat32Array()), [0, 0, 0]);
});
test("pow(a, b) at a = 0: d/da is 0 where b = 0, d/db is 0 where b >= 0", () => {
    const a = tensor([0, 0, 0, 2]).setRequiresGrad(true);
    const b = tensor([0, 2, 1, 3]).setRequiresGrad(true);
    pow(a, b).sum().backward();
    // d/da = b · a^(b-1): [0 (b = 0), 2·0, 1·0^0 = 1, 3·2² = 12]
    assert.deepEqual(Array.from(a.grad.toFloat32Array()), [0, 0, 1, 12]);
    // d/db = a^b · ln a: 0 where a = 0 and b >= 0; 8 ln 2 for the last
    const db = Array.from(b.grad.toFloat32Array());
    assert.deepEqual(db.slice(0, 3), [0, 0, 0]);
    assert.ok(Math.abs(db[3] - 8 * Math.log(2)) < 1e-5);
});
test("pow(a, b) broadcasting with a zero exponent row", () => {
    const a = tensor([[0, 1], [2, 0]]).setRequiresGrad(true);
    const b = tensor([0, 2]).setRequiresGrad(true);
    pow(a, b).sum().backward();
    assert.deepEqual(Array.from(a.grad.toFloat32Array()), [0, 2, 0, 0]);
    // column 0: b = 0, d/db = Σ a^0 ln a = ln 1·0 (a = 0 → 0) + ln 2; column 1: 1·ln 1 + 0 = 0
    const db = Array.from(b.grad.toFloat32Array());
    assert.ok(Math.abs(db[0] - Math.log(2)) < 1e-6 && db[1] === 0, `db ${db}`);
});
//# sourceMappingURL=pow.test.js.map