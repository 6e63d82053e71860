import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/index.js";
import { AdamW, getScheduler } from "../../src/optim/index.js";
function lrs(name, opts, steps, lr = 1) {
    const opt = new AdamW([tensor([1]).setRequiresGrad(true)], { lr });
    const s = getScheduler(name, opt, opts);
    const out = [s.getLastLr()[0]];
    for (let i = 0; i < steps; i++) {
        s.step();
        out.push(s.getLastLr()[0]);
        assert.equal(opt.paramGroups[0].lr, out[out.length - 1]);
    }
    return out;
}
function close(a, b) {
    assert.equal(a.length, b.length);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) < 1e-9, `step ${i}: ${v} vs ${b[i]}\n${a}`));
}
const W2T10 = { num_warmup_steps: 2, num_training_steps: 10 };
test("linear: warmup then linear decay to 0 (HF's values)", () => {
    close(lrs("linear", W2T10, 10), [0, 0.5, 1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0]);
});
test("cosine: half a cosine after warmup", () => {
    const v = lrs("cosine", W2T10, 10);
    close([v[0], v[1], v[2], v[6], v[10]], [0, 0.5, 1, 0.5, 0]);
    close([v[4]], [0.5 * (1 + Math.cos(Math.PI * 0.25))]);
});
test("cosine_with_restarts: num_cycles hard restarts", () => {
    const v = lrs("cosine_with_restarts", { ...W2T10, num_cycles: 2 }, 10);
    close([v[2], v[4], v[6], v[8], v[10]], [1, 0.5, 1, 0.5, 0]);
});
test("polynomial: power and lr_end, then lr_end past the end", () => {
    const v = lrs("polynomial", { ...W2T10, power: 2, lr_end: 0.1 }, 12);
    close([v[2], v[6], v[10], v[12]], [1, 0.9 * 0.25 + 0.1, 0.1, 0.1]);
    assert.throws(() => lrs("polynomial", { ...W2T10, lr_end: 2 }, 1), /lr_end \(2\) must be smaller than the initial lr \(1\)/);
});
test("constant, constant_with_warmup, inverse_sqrt, cosine_with_min_lr", () => {
    close(lrs("constant", {}, 3, 0.5), [0.5, 0.5, 0.5, 0.5]);
    close(lrs("constant_with_warmup", { num_warmup_steps: 4 }, 6), [0, 0.25, 0.5, 0.75, 1, 1, 1]);
    const inv = lrs("inverse_sqrt", { num_warmup_steps: 4 }, 16);
    close([inv[4], inv[16]], [1, 0.5]);
    const min = lrs("cosine_with_min_lr", { ...W2T10, min_lr: 0.1 }, 10);
    close([min[2], min[6], min[10]], [1, 0.55, 0.1]);
});
test("scheduler scales each group's own initial lr; stateDict round trip", () => {
    const opt = new AdamW([{ params: [tensor([1]).setRequiresGrad(true)], lr: 1 }, { params: [tensor([1]).setRequiresGrad(true)], lr: 0.1 }]);
    const s = getScheduler("linear", opt, W2T10);
    s.step();
    close(s.getLastLr(), [0.5, 0.05]);
    const sd = s.stateDict();
    assert.deepEqual(JSON.parse(JSON.stringify(sd)), { last_epoch: 1, base_lrs: [1, 0.1], _last_lr: [0.5, 0.05] });
    const opt2 = new AdamW([{ params: [tensor([1]).setRequiresGrad(true)], lr: 1 }, { params: [tensor([1]).setRequiresGrad(true)], lr: 0.1 }]);
    const s2 = getScheduler("linear", opt2, W2T10);
    s2.loadStateDict(sd);
    s.step();
    s2.step();
    close(s2.getLastLr(), s.getLastLr());
    close([opt2.paramGroups[1].lr], [0.1]);
});
test("getScheduler errors say what is missing", () => {
    const opt = new AdamW([tensor([1]).setRequiresGrad(true)]);
    assert.throws(() => getScheduler("linear", opt, { num_warmup_steps: 1 }), /\[getScheduler\] linear requires num_training_steps/);
    assert.throws(() => getScheduler("cosine", opt, {}), /\[getScheduler\] cosine requires num_warmup_steps/);
    assert.throws(() => getScheduler("cosine_annealing", opt, W2T10), /unknown lr_scheduler_type "cosine_annealing"; supported: linear, cosine/);
});
//# sourceMappingURL=schedulers.test.js.map