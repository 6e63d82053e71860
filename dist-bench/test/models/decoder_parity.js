/**
 * Parity of a decoder-only model with the reference fixtures (../shared/fixtures/<name>):
 * logits where attention_mask == 1, the loss, and the gradient of every parameter the
 * fixture lists, computed with transformers' semantics. Also reports the worst errors.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { scope } from "../../src/tensor/index.js";
import { loadTensors } from "../../src/io/tensors.js";
import { fixturesDir } from "../helpers/paths.js";
export function fixture(name) {
    const dir = path.join(fixturesDir, name);
    return { dir, modelDir: path.join(dir, "model"), expected: loadTensors(path.join(dir, "expected.safetensors")) };
}
/** Worst |a - e| and worst |a - e| / |e| (over |e| > atol), asserting |a - e| <= atol + rtol |e| everywhere. */
export function compare(actual, expected, atol, rtol, what, keep) {
    assert.equal(actual.length, expected.length, `${what}: ${actual.length} values vs ${expected.length} expected`);
    let maxAbs = 0;
    let maxRel = 0;
    for (let i = 0; i < actual.length; i++) {
        if (keep && !keep(i))
            continue;
        const err = Math.abs(actual[i] - expected[i]);
        assert.ok(err <= atol + rtol * Math.abs(expected[i]), `${what}: element ${i} is ${actual[i]} but expected ${expected[i]} (|diff| ${err.toExponential(2)})`);
        maxAbs = Math.max(maxAbs, err);
        if (Math.abs(expected[i]) > atol)
            maxRel = Math.max(maxRel, err / Math.abs(expected[i]));
    }
    return { maxAbs, maxRel };
}
/** Runs the `full` case on a loaded model: forward, loss, backward, and compares everything. */
export function checkFullCase(model, expected) {
    const get = (k) => {
        const t = expected.get(k);
        assert.ok(t, `expected.safetensors has no "${k}"`);
        return t;
    };
    const ids = get("input_ids");
    const mask = get("attention_mask");
    const labels = get("labels");
    const maskValues = mask.toFloat32Array();
    return scope(() => {
        const out = model.forward({ input_ids: ids, attention_mask: mask, labels });
        const [B, L, V] = out.logits.shape;
        assert.deepEqual(out.logits.shape, get("full.logits").shape);
        const logits = compare(out.logits.toFloat32Array(), get("full.logits").toFloat32Array(), 1e-4, 1e-4, "full.logits", (i) => maskValues[Math.floor(i / V)] === 1);
        assert.equal(B * L, maskValues.length);
        const ours = out.loss.item();
        const want = get("full.loss").item();
        assert.ok(Math.abs(ours - want) <= 1e-5 + 1e-5 * Math.abs(want), `full.loss is ${ours} but expected ${want}`);
        out.loss.backward();
        const params = model.stateDict();
        const grads = new Map();
        const names = [...expected.keys()].filter((k) => k.startsWith("full.grad."));
        assert.ok(names.length > 0, "the fixture lists no gradients");
        for (const key of names) {
            const name = key.slice("full.grad.".length);
            const p = params.get(name);
            assert.ok(p, `the model has no parameter "${name}" (fixture gradient ${key})`);
            assert.ok(p.grad, `parameter "${name}" received no gradient`);
            grads.set(name, compare(p.grad.toFloat32Array(), get(key).toFloat32Array(), 1e-5, 1e-3, key));
        }
        for (const p of model.parameters()) {
            p.grad?.dispose();
            p.grad = null;
        }
        return { logits, loss: { ours, expected: want, absErr: Math.abs(ours - want) }, grads };
    });
}
export function summarize(name, r) {
    let gAbs = 0;
    let gRel = 0;
    let worst = "";
    for (const [k, g] of r.grads) {
        if (g.maxAbs > gAbs)
            (gAbs = g.maxAbs), (worst = k);
        gRel = Math.max(gRel, g.maxRel);
    }
    return (`${name}: logits max abs ${r.logits.maxAbs.toExponential(2)} rel ${r.logits.maxRel.toExponential(2)}; ` +
        `loss ${r.loss.ours} vs ${r.loss.expected} (abs ${r.loss.absErr.toExponential(2)}); ` +
        `${r.grads.size} grads max abs ${gAbs.toExponential(2)} (${worst}) max rel ${gRel.toExponential(2)}`);
}
/**
 * prefix_tuning: prompt_embeddings (P, layers·2·D) become per-layer past keys/values
 * (1, heads, P, D/heads), the README's layout; checks logits, loss and the prompt's gradient.
 */
export function checkPrefixCase(model, expected, layers, heads) {
    const prompt = expected.get("prefix_tuning.init.prompt_embeddings").clone().keep().setRequiresGrad(true);
    const [P, width] = prompt.shape;
    const D = width / (2 * layers);
    const mask = expected.get("attention_mask");
    const maskValues = mask.toFloat32Array();
    return scope(() => {
        const kv = (col) => prompt.narrow(1, col * D, D).reshape(P, heads, D / heads).permute(1, 0, 2).unsqueeze(0);
        const past = Array.from({ length: layers }, (_, l) => [kv(2 * l), kv(2 * l + 1)]);
        const out = model.forward({ input_ids: expected.get("input_ids"), attention_mask: mask, labels: expected.get("labels"), past_key_values: past });
        const V = out.logits.shape[2];
        const logits = compare(out.logits.toFloat32Array(), expected.get("prefix_tuning.logits").toFloat32Array(), 1e-4, 1e-4, "prefix_tuning.logits", (i) => maskValues[Math.floor(i / V)] === 1);
        const loss = out.loss.item();
        const want = expected.get("prefix_tuning.loss").item();
        assert.ok(Math.abs(loss - want) <= 1e-5 + 1e-5 * Math.abs(want), `prefix_tuning.loss is ${loss} but expected ${want}`);
        out.loss.backward();
        const grad = compare(prompt.grad.toFloat32Array(), expected.get("prefix_tuning.grad.prompt_embeddings").toFloat32Array(), 1e-5, 1e-3, "prefix_tuning.grad");
        prompt.dispose();
        for (const p of model.parameters())
            (p.grad?.dispose(), (p.grad = null));
        return { logits, lossErr: Math.abs(loss - want), grad };
    });
}
/**
 * prompt_tuning through inputs_embeds: cat(prompt, embed(ids)), mask and labels widened by P;
 * checks logits (the P virtual positions included), loss and the prompt's gradient.
 */
export function checkPromptCase(model, expected, embed, cat) {
    const prompt = expected.get("prompt_tuning.init.prompt_embeddings").clone().keep().setRequiresGrad(true);
    const [P, C] = prompt.shape;
    const ids = expected.get("input_ids");
    const [B, L] = ids.shape;
    const mask = expected.get("attention_mask").toFloat32Array();
    const labels = expected.get("labels").toFloat32Array();
    const wideMask = [];
    const wideLabels = [];
    for (let b = 0; b < B; b++) {
        wideMask.push([...Array(P).fill(1), ...mask.subarray(b * L, (b + 1) * L)]);
        wideLabels.push([...Array(P).fill(-100), ...labels.subarray(b * L, (b + 1) * L)]);
    }
    return scope(() => {
        const embeds = cat([prompt.unsqueeze(0).expand(B, P, C), embed(ids)], 1);
        const out = model.forward({ inputs_embeds: embeds, attention_mask: wideMask, labels: wideLabels });
        const V = out.logits.shape[2];
        const flatMask = wideMask.flat();
        const logits = compare(out.logits.toFloat32Array(), expected.get("prompt_tuning.logits").toFloat32Array(), 1e-4, 1e-4, "prompt_tuning.logits", (i) => flatMask[Math.floor(i / V)] === 1);
        const loss = out.loss.item();
        const want = expected.get("prompt_tuning.loss").item();
        assert.ok(Math.abs(loss - want) <= 1e-5 + 1e-5 * Math.abs(want), `prompt_tuning.loss is ${loss} but expected ${want}`);
        out.loss.backward();
        const grad = compare(prompt.grad.toFloat32Array(), expected.get("prompt_tuning.grad.prompt_embeddings").toFloat32Array(), 1e-5, 1e-3, "prompt_tuning.grad");
        prompt.dispose();
        for (const p of model.parameters())
            (p.grad?.dispose(), (p.grad = null));
        return { logits, lossErr: Math.abs(loss - want), grad };
    });
}
//# sourceMappingURL=decoder_parity.js.map