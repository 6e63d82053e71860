// End-to-end learning: the op set, autograd, scopes and AdamW together must fit small
// tasks that random weights cannot solve, and reproduce bit for bit under manualSeed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRandom, crossEntropy, embedding, gelu, layerNorm, linear, manualSeed, noGrad, ones, randn, scaledDotProductAttention, scope, tensor, zeros, } from "../../src/index.js";
import { AdamW, clipGradNorm } from "../../src/optim/index.js";
function param(shape, std) {
    return randn(shape, { std }).setRequiresGrad(true).keep();
}
const bias = (n) => zeros([n]).setRequiresGrad(true).keep();
/** XOR on four points with a 2-16-2 tanh MLP; returns the final loss and parameters. */
function trainXor(steps) {
    manualSeed(42);
    const w1 = param([16, 2], 1), b1 = bias(16), w2 = param([2, 16], 0.5), b2 = bias(2);
    const opt = new AdamW([w1, b1, w2, b2], { lr: 0.03, weight_decay: 0 });
    const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]).keep();
    const y = [0, 1, 1, 0];
    let first = NaN, last = NaN;
    for (let s = 0; s < steps; s++) {
        last = scope(() => {
            const loss = crossEntropy(linear(linear(x, w1, b1).tanh(), w2, b2), y);
            loss.backward();
            opt.step();
            opt.zeroGrad();
            return loss.item();
        });
        if (s === 0)
            first = last;
    }
    return { first, last, params: [w1, b1, w2, b2].map((p) => p.toFloat32Array()) };
}
test("an MLP learns XOR (a linear model cannot beat ln 2 ≈ 0.69)", () => {
    const r = trainXor(400);
    assert.ok(r.first > 0.5, `initial loss ${r.first}`);
    assert.ok(r.last < 0.05, `final loss ${r.last}`);
});
test("training is deterministic under manualSeed", () => {
    const a = trainXor(30);
    const b = trainXor(30);
    assert.equal(a.last, b.last);
    a.params.forEach((p, i) => assert.deepEqual(p, b.params[i]));
});
/** A one-layer causal transformer: token + position embeddings, attention, GELU MLP, pre-LN. */
class TinyTransformer {
    V;
    T;
    C;
    H;
    params;
    p;
    constructor(V, T, C, H) {
        this.V = V;
        this.T = T;
        this.C = C;
        this.H = H;
        const s = 0.02 * 5;
        this.p = {
            wte: param([V, C], s), wpe: param([T, C], s),
            ln1w: ones([C]).setRequiresGrad(true).keep(), ln1b: bias(C),
            wq: param([C, C], s), wk: param([C, C], s), wv: param([C, C], s), wo: param([C, C], s), bo: bias(C),
            ln2w: ones([C]).setRequiresGrad(true).keep(), ln2b: bias(C),
            w1: param([4 * C, C], s), b1: bias(4 * C), w2: param([C, 4 * C], s), b2: bias(C),
            lnfw: ones([C]).setRequiresGrad(true).keep(), lnfb: bias(C), head: param([V, C], s),
        };
        this.params = Object.values(this.p);
    }
    forward(ids) {
        const { p, C, H } = this;
        const B = ids.length, T = ids[0].length, D = C / H;
        const pos = Array.from({ length: B }, () => Array.from({ length: T }, (_, t) => t));
        let x = embedding(ids, p.wte).add(embedding(pos, p.wpe));
        const heads = (t) => t.reshape(B, T, H, D).transpose(1, 2);
        const h = layerNorm(x, C, p.ln1w, p.ln1b);
        const att = scaledDotProductAttention(heads(linear(h, p.wq)), heads(linear(h, p.wk)), heads(linear(h, p.wv)), { isCausal: true });
        x = x.add(linear(att.transpose(1, 2).reshape(B, T, C), p.wo, p.bo));
        const m = layerNorm(x, C, p.ln2w, p.ln2b);
        x = x.add(linear(gelu(linear(m, p.w1, p.b1)), p.w2, p.b2));
        return linear(layerNorm(x, C, p.lnfw, p.lnfb), p.head);
    }
}
test("a one-layer transformer learns to copy a sequence through causal attention", () => {
    manualSeed(7);
    const V = 6, n = 4, T = 2 * n, B = 16;
    const model = new TinyTransformer(V, T, 32, 2);
    const opt = new AdamW(model.params, { lr: 3e-3, weight_decay: 0 });
    const rng = new SeededRandom(1);
    // [a b c d a b c d]: the second half is predictable only by looking back n positions.
    const batch = () => Array.from({ length: B }, () => { const h = Array.from({ length: n }, () => rng.int(V)); return [...h, ...h]; });
    const targets = (ids) => ids.map((row) => row.map((_, t) => (t >= n - 1 && t < T - 1 ? row[t + 1] : -100)));
    let loss = Infinity;
    for (let step = 0; step < 400; step++) {
        loss = scope(() => {
            const ids = batch();
            const l = crossEntropy(model.forward(ids), targets(ids));
            l.backward();
            clipGradNorm(model.params, 1);
            opt.step();
            opt.zeroGrad();
            return l.item();
        });
    }
    const evalLoss = scope(() => noGrad(() => { const ids = batch(); return crossEntropy(model.forward(ids), targets(ids)).item(); }));
    // Guessing gives ln 6 ≈ 1.79; every target is a token n positions back.
    assert.ok(evalLoss < 0.2, `eval loss ${evalLoss} (last train loss ${loss})`);
});
//# sourceMappingURL=learn.test.js.map