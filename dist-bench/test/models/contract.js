/**
 * Checks every model family passes (a PEFT-style contract table for models): a few SGD steps
 * lower the loss, gradient checkpointing gives the same gradients, and save → load gives
 * identical logits.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { scope, noGrad, mul } from "../../src/tensor/index.js";
function zeroGrads(model) {
    for (const p of model.parameters())
        (p.grad?.dispose(), (p.grad = null));
}
/** Plain SGD steps on one batch; returns the losses. */
export function trainSteps(model, batch, steps, lr) {
    model.train();
    const losses = [];
    for (let s = 0; s < steps; s++) {
        scope(() => {
            const loss = model.forward(batch).loss;
            losses.push(loss.item());
            loss.backward();
        });
        noGrad(() => {
            for (const p of model.trainableParameters()) {
                if (!p.grad)
                    continue;
                const step = mul(p.grad, -lr);
                p.addInPlace(step);
                step.dispose();
            }
        });
        zeroGrads(model);
    }
    return losses;
}
export function assertTrainingLowersLoss(model, batch, steps = 8, lr = 0.1) {
    const losses = trainSteps(model, batch, steps, lr);
    assert.ok(losses.every(Number.isFinite), `losses ${losses.join(", ")} must be finite`);
    assert.ok(losses[losses.length - 1] < losses[0] * 0.95, `loss went from ${losses[0]} to ${losses[losses.length - 1]} in ${steps} steps; expected it to fall`);
    return losses;
}
/** Gradients by parameter name after one backward (train mode, so checkpointing is active). */
export function gradients(model, batch, forward = (b) => model.forward(b)) {
    model.train();
    const out = new Map();
    scope(() => forward(batch).loss.backward());
    for (const [name, p] of model.namedParameters())
        if (p.grad)
            out.set(name, p.grad.toFloat32Array());
    zeroGrads(model);
    return out;
}
/** `layer`: one checkpointed layer, whose forward must run twice (forward + recompute) with checkpointing. */
export function assertCheckpointingSameGradients(model, batch, layer) {
    const original = layer.forward;
    let calls = 0;
    layer.forward = function (...a) {
        calls++;
        return original.apply(this, a);
    };
    model.gradientCheckpointing = false;
    const plain = gradients(model, batch);
    assert.equal(calls, 1, "without checkpointing the layer runs once");
    model.gradientCheckpointing = true;
    const ckpt = gradients(model, batch);
    assert.equal(calls, 3, "with checkpointing the layer must run again in backward");
    model.gradientCheckpointing = false;
    layer.forward = original;
    assert.deepEqual([...ckpt.keys()].sort(), [...plain.keys()].sort(), "checkpointing changed which parameters get a gradient");
    for (const [name, g] of plain) {
        const c = ckpt.get(name);
        for (let i = 0; i < g.length; i++) {
            assert.ok(Math.abs(g[i] - c[i]) <= 1e-6 + 1e-5 * Math.abs(g[i]), `${name}[${i}]: ${c[i]} with checkpointing, ${g[i]} without`);
        }
    }
}
/** Saves to a temp folder, loads with `load`, and compares logits exactly; returns the loaded model. */
export async function assertSaveLoadRoundTrip(model, load, batch) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-model-"));
    try {
        model.eval();
        model.savePretrained(dir);
        const loaded = await load(dir);
        assert.deepEqual(loaded.loadReport?.newlyInitialized, [], "weights missing after the round trip");
        assert.deepEqual(loaded.loadReport?.unexpectedKeys, []);
        const a = noGrad(() => model.forward(batch).logits.toFloat32Array());
        const b = noGrad(() => loaded.forward(batch).logits.toFloat32Array());
        assert.deepEqual(b, a, "logits differ after save → load");
        return loaded;
    }
    finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
export function keysOf(t) {
    return [...t.keys()].sort();
}
//# sourceMappingURL=contract.js.map