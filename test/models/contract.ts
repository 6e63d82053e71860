/**
 * Checks every model family passes (a PEFT-style contract table for models): a few SGD steps
 * lower the loss, gradient checkpointing gives the same gradients, and save → load gives
 * identical logits.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Tensor, scope, noGrad, mul } from "../../src/tensor/index.js";
import type { ModelInputs, ModelOutput, PreTrainedModel } from "../../src/models/modeling_utils.js";

type Forward = (inputs: ModelInputs) => ModelOutput;

function zeroGrads(model: PreTrainedModel): void {
  for (const p of model.parameters()) (p.grad?.dispose(), (p.grad = null));
}

/** Plain SGD steps on one batch; returns the losses. */
export function trainSteps(model: PreTrainedModel, batch: ModelInputs, steps: number, lr: number): number[] {
  model.train();
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    scope(() => {
      const loss = model.forward(batch).loss!;
      losses.push(loss.item());
      loss.backward();
    });
    noGrad(() => {
      for (const p of model.trainableParameters()) {
        if (!p.grad) continue;
        const step = mul(p.grad, -lr);
        p.addInPlace(step);
        step.dispose();
      }
    });
    zeroGrads(model);
  }
  return losses;
}

export function assertTrainingLowersLoss(model: PreTrainedModel, batch: ModelInputs, steps = 8, lr = 0.1): number[] {
  const losses = trainSteps(model, batch, steps, lr);
  assert.ok(losses.every(Number.isFinite), `losses ${losses.join(", ")} must be finite`);
  assert.ok(losses[losses.length - 1] < losses[0] * 0.95, `loss went from ${losses[0]} to ${losses[losses.length - 1]} in ${steps} steps; expected it to fall`);
  return losses;
}

/** Gradients by parameter name after one backward (train mode, so checkpointing is active). */
export function gradients(model: PreTrainedModel, batch: ModelInputs, forward: Forward = (b) => model.forward(b)): Map<string, Float32Array> {
  model.train();
  const out = new Map<string, Float32Array>();
  scope(() => forward(batch).loss!.backward());
  for (const [name, p] of model.namedParameters()) if (p.grad) out.set(name, p.grad.toFloat32Array());
  zeroGrads(model);
  return out;
}

/** `layer`: one checkpointed layer, whose forward must run twice (forward + recompute) with checkpointing. */
export function assertCheckpointingSameGradients(model: PreTrainedModel, batch: ModelInputs, layer: { forward: (...a: never[]) => unknown }): void {
  const original = layer.forward;
  let calls = 0;
  layer.forward = function (this: unknown, ...a: never[]) {
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
    const c = ckpt.get(name)!;
    for (let i = 0; i < g.length; i++) {
      assert.ok(Math.abs(g[i] - c[i]) <= 1e-6 + 1e-5 * Math.abs(g[i]), `${name}[${i}]: ${c[i]} with checkpointing, ${g[i]} without`);
    }
  }
}

/** Saves to a temp folder, loads with `load`, and compares logits exactly; returns the loaded model. */
export async function assertSaveLoadRoundTrip<M extends PreTrainedModel>(
  model: M,
  load: (dir: string) => Promise<M>,
  batch: ModelInputs,
): Promise<M> {
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * transformers' logits_to_keep on a causal LM: n keeps the last n positions' logits (equal to
 * those rows of the full logits), 0 or n >= L keeps all, a list keeps those positions; bad
 * values and labels with a partial head are refused.
 */
export function assertLogitsToKeep(model: PreTrainedModel, batch: ModelInputs): void {
  const inputs = { input_ids: batch.input_ids, attention_mask: batch.attention_mask };
  const run = (keep: unknown) => model.forward({ ...inputs, logits_to_keep: keep } as ModelInputs).logits;
  noGrad(() => {
    const full = model.forward(inputs).logits;
    const [B, L, V] = full.shape;
    const rows = (positions: number[]) => {
      const all = full.toFloat32Array();
      const out: number[] = [];
      for (let b = 0; b < B; b++) for (const t of positions) out.push(...all.subarray((b * L + t) * V, (b * L + t + 1) * V));
      return out;
    };
    const close = (got: Tensor, positions: number[], what: string) => {
      assert.deepEqual(got.shape, [B, positions.length, V], `${what}: shape`);
      const want = rows(positions);
      const g = got.toFloat32Array();
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(g[i] - want[i]) <= 1e-5 + 1e-5 * Math.abs(want[i]), `${what}: logit ${i} is ${g[i]}, the full forward gives ${want[i]}`);
    };
    close(run(1), [L - 1], "logits_to_keep 1");
    close(run(2), [L - 2, L - 1], "logits_to_keep 2");
    close(run(0), [...Array(L).keys()], "logits_to_keep 0");
    close(run(L + 3), [...Array(L).keys()], "logits_to_keep > L");
    close(run([0, -1]), [0, L - 1], "logits_to_keep [0, -1]");
    for (const bad of [-1, 1.5, [L]]) assert.throws(() => run(bad), /logits_to_keep/, `logits_to_keep ${JSON.stringify(bad)} must be refused`);
    assert.throws(() => model.forward({ ...batch, logits_to_keep: 1 } as ModelInputs), /labels need the logits of every position/);
  });
}

export function keysOf(t: Map<string, Tensor>): string[] {
  return [...t.keys()].sort();
}
