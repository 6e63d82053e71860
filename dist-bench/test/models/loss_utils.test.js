import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/tensor/index.js";
import { bceWithLogits } from "../../src/models/loss_utils.js";
const sigmoid = (v) => 1 / (1 + Math.exp(-v));
test("bceWithLogits: value and gradient sigmoid(x) - y, also at x = 0 and for huge |x|", () => {
    const xs = [0, 0, 1e-3, -2, 100, -100];
    const ys = [1, 0, 1, 0.25, 0, 1];
    const x = tensor(xs).setRequiresGrad(true);
    const loss = bceWithLogits(x, tensor(ys));
    const want = xs.reduce((s, v, i) => s + Math.max(v, 0) - v * ys[i] + Math.log1p(Math.exp(-Math.abs(v))), 0) / xs.length;
    assert.ok(Math.abs(loss.item() - want) < 1e-4, `loss ${loss.item()} vs ${want}`);
    loss.backward();
    const g = x.grad.toFloat32Array();
    xs.forEach((v, i) => {
        const expected = (sigmoid(v) - ys[i]) / xs.length;
        assert.ok(Math.abs(g[i] - expected) < 1e-6, `x = ${v}: gradient ${g[i]} vs ${expected}`);
    });
});
//# sourceMappingURL=loss_utils.test.js.map