// Memory lifetime: a training loop in step scopes holds steady; a tensor used after its
// scope ended throws; backward frees saved activations as it goes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bufferCache, crossEntropy, linear, manualSeed, randn, scope, zeros } from "../../src/index.js";
import { AdamW } from "../../src/optim/index.js";
function param(shape, std) {
    return randn(shape, { std }).setRequiresGrad(true).keep();
}
test("2,000 MLP training steps in scopes keep RSS and the buffer cache's live bytes flat", () => {
    manualSeed(0);
    const w1 = param([64, 16], 0.25), b1 = zeros([64]).setRequiresGrad(true).keep();
    const w2 = param([4, 64], 0.125), b2 = zeros([4]).setRequiresGrad(true).keep();
    const opt = new AdamW([w1, b1, w2, b2], { lr: 1e-3 });
    const x = randn([32, 16]).keep();
    const labels = Array.from({ length: 32 }, (_, i) => i % 4);
    const live = [];
    let rssAt500 = 0;
    for (let step = 1; step <= 2000; step++) {
        const loss = scope(() => {
            const h = linear(x, w1, b1).relu();
            const l = crossEntropy(linear(h, w2, b2), labels);
            l.backward();
            opt.step();
            opt.zeroGrad();
            return l.item();
        });
        assert.ok(Number.isFinite(loss));
        live.push(bufferCache.liveBytes);
        if (step === 500)
            rssAt500 = process.memoryUsage().rss;
    }
    const growth = process.memoryUsage().rss - rssAt500;
    assert.ok(growth < 20 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(1)} MB between step 500 and 2000`);
    // After the first step (which creates the optimizer state) nothing accumulates.
    assert.ok(live.slice(1).every((b) => b === live[1]), `live bytes drifted: ${live[1]} → ${live[live.length - 1]}`);
});
test("using a tensor after its scope ended throws use after free", () => {
    let escaped = null;
    const kept = scope(() => {
        const a = randn([4]);
        escaped = a.mul(2);
        return a.add(1);
    });
    assert.equal(kept.isFreed, false);
    assert.ok(escaped !== null);
    const dead = escaped;
    assert.equal(dead.isFreed, true);
    assert.throws(() => dead.toFloat32Array(), /\[tensor\] use after free/);
    assert.throws(() => dead.add(1), /\[tensor\] use after free/);
    kept.toFloat32Array();
});
test("backward frees saved activations; the scope frees the rest", () => {
    manualSeed(1);
    const w = param([8, 4], 0.5);
    const x = randn([3, 4]).keep();
    const made = [];
    scope(() => {
        const h = linear(x, w);
        const a = h.tanh();
        const y = a.mul(a).sum();
        made.push(h, a, y);
        assert.ok(a.savedCount > 0, "tanh's output and mul's inputs are saved for backward");
        y.backward();
        for (const t of made)
            assert.equal(t.savedCount, 0, "backward released what it saved");
        assert.equal(x.savedCount, 0);
        assert.equal(w.savedCount, 0);
    });
    for (const t of made)
        assert.equal(t.isFreed, true);
    assert.equal(x.isFreed, false);
    assert.ok(w.grad && !w.grad.isFreed, "leaf gradients outlive the step");
    w.grad.dispose();
    w.grad = null;
});
test("a forward in an inner scope keeps saved activations only until backward", () => {
    const w = param([4, 4], 0.5);
    const x = randn([2, 4]).keep();
    scope(() => {
        let act = null;
        const loss = scope(() => {
            const h = linear(x, w).sigmoid();
            act = h;
            return h.sum();
        });
        const h = act;
        assert.equal(h.isFreed, false, "saved for backward: alive after its scope");
        loss.backward();
        assert.equal(h.isFreed, true, "freed as soon as backward used it");
    });
    w.grad?.dispose();
    w.grad = null;
});
//# sourceMappingURL=memory.test.js.map