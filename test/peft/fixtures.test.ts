// Parity with ../shared/fixtures: the PEFT-format adapters in adapters/ load onto the fixture
// models and reproduce PEFT's logits, losses, adapter gradients and one AdamW step.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { AdamW } from "../../src/optim/index.js";
import { PeftModel } from "../../src/peft/index.js";
import { skipIfMissing } from "../helpers/paths.js";
import { closeness, maxAbsDiff } from "../helpers/close.js";
import { type FixtureName, expected, fixtureInputs, fixturePath, loadBase, logitMask } from "./helpers.js";

const CASES: { model: FixtureName; kind: "lora" | "prompt_tuning" | "prefix_tuning" }[] = [
  { model: "bert_tiny", kind: "lora" },
  { model: "gpt2_tiny", kind: "lora" },
  { model: "gpt2_tiny", kind: "prompt_tuning" },
  { model: "gpt2_tiny", kind: "prefix_tuning" },
  { model: "llama_tiny", kind: "lora" },
  { model: "llama_tiny", kind: "prompt_tuning" },
  { model: "llama_tiny", kind: "prefix_tuning" },
];

for (const { model, kind } of CASES) {
  const dir = fixturePath(model, "adapters", kind);
  test(`${model} ${kind}: PEFT adapter reproduces logits, loss and gradients`, { skip: skipIfMissing(dir) }, async (t) => {
    const caseInfo = JSON.parse(fs.readFileSync(fixturePath(model, "case.json"), "utf8")).cases[kind];
    const exp = expected(model);
    const base = await loadBase(model);
    const pm = PeftModel.fromPretrained(base, dir, { is_trainable: true });
    const out = pm.forward(fixtureInputs(model));
    const P = kind === "prompt_tuning" ? caseInfo.num_virtual_tokens : 0;
    const V = out.logits.shape[out.logits.ndim - 1];
    const want = exp.get(`${kind}.logits`)!;
    assert.deepEqual(out.logits.shape, want.shape);
    const dLogits = maxAbsDiff(out.logits.toFloat32Array(), want.toFloat32Array(), logitMask(model, P), V);
    const dLoss = Math.abs(out.loss!.item() - exp.get(`${kind}.loss`)!.item());
    t.diagnostic(`max|Δlogits| ${dLogits.toExponential(2)}  |Δloss| ${dLoss.toExponential(2)}`);
    assert.ok(dLogits <= 1e-4, `logits differ by ${dLogits}`);
    assert.ok(dLoss <= 1e-5, `loss differs by ${dLoss}`);

    out.loss!.backward();
    const saved = pm.adapterStateDict();
    if (caseInfo.trainable) assert.deepEqual([...saved.keys()].sort(), [...caseInfo.trainable].sort(), "trainable tensors are PEFT's");
    const trainable = pm.trainableParameters();
    assert.equal(trainable.length, saved.size, "exactly the saved adapter tensors train");
    let worstGrad = -Infinity;
    let worstAbs = 0;
    for (const [key, param] of saved) {
      const g = exp.get(`${kind}.grad.${key}`);
      assert.ok(g, `fixture has a gradient for ${key}`);
      assert.ok(param.grad, `${key} received a gradient`);
      const c = closeness(param.grad.toFloat32Array(), g.toFloat32Array(), 1e-5, 1e-3);
      worstGrad = Math.max(worstGrad, c);
      worstAbs = Math.max(worstAbs, maxAbsDiff(param.grad.toFloat32Array(), g.toFloat32Array()));
      assert.ok(c <= 0, `gradient of ${key} off by ${c} beyond atol 1e-5 + rtol 1e-3`);
    }
    t.diagnostic(`gradients: max|Δgrad| ${worstAbs.toExponential(2)} (worst margin to atol 1e-5 + rtol 1e-3: ${worstGrad.toExponential(2)})`);

    if (kind === "lora") {
      const hp = caseInfo.adamw;
      const opt = new AdamW(trainable, { lr: hp.lr, betas: hp.betas, eps: hp.eps, weight_decay: hp.weight_decay });
      opt.step();
      let worst = 0;
      for (const [key, param] of saved) {
        const w = exp.get(`lora.after_adamw.${key}`)!;
        const d = maxAbsDiff(param.toFloat32Array(), w.toFloat32Array());
        worst = Math.max(worst, d);
        assert.ok(d <= 1e-6, `${key} after one AdamW step differs by ${d}`);
      }
      t.diagnostic(`after AdamW: max|Δ| ${worst.toExponential(2)}`);
    }
  });

  test(`${model} ${kind}: loaded frozen by default, initial weights are the fixture's`, { skip: skipIfMissing(dir) }, async () => {
    const exp = expected(model);
    const pm = PeftModel.fromPretrained(await loadBase(model), dir);
    assert.equal(pm.trainableParameters().length, 0, "is_trainable defaults to false");
    for (const [key, t] of pm.adapterStateDict()) {
      const init = exp.get(`${kind}.init.${key}`);
      if (init) assert.deepEqual(t.toFloat32Array(), init.toFloat32Array(), key);
    }
  });
}
