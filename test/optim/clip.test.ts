import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../src/index.js";
import { AdamW, SGD, clipCoefficient, clipGradNorm, gradNorm } from "../../src/optim/index.js";
import { assertClose } from "../helpers/close.js";

function withGrad(g: number[]): Tensor {
  const p = tensor(g.map(() => 0)).setRequiresGrad(true);
  p.grad = tensor(g).keep();
  return p;
}

test("clipGradNorm returns the global norm and scales to maxNorm", () => {
  const a = withGrad([3, 0]), b = withGrad([0, 4]), c = tensor([1]).setRequiresGrad(true);
  assert.equal(gradNorm([a, b, c]), 5);
  const norm = clipGradNorm([a, b, c], 1);
  assert.equal(norm, 5);
  assertClose(a.grad!.toFloat32Array(), [3 / (5 + 1e-6), 0], 1e-7);
  assertClose([gradNorm([a, b])], [1], 1e-6);
  // Below the bound: untouched.
  const d = withGrad([0.3, 0.4]);
  assert.ok(Math.abs(clipGradNorm([d], 1) - 0.5) < 1e-7);
  assert.deepEqual(Array.from(d.grad!.toFloat32Array()), [0.30000001192092896, 0.4000000059604645]);
});

test("the norm is summed in double: many small gradients do not lose precision", () => {
  const p = withGrad(new Array(1_000_000).fill(1e-3));
  assertClose([gradNorm([p])], [1], 1e-6, 1e-6);
});

test("non-finite norms are returned and gradients left as they are", () => {
  const a = withGrad([NaN, 1]), b = withGrad([Infinity, 0]);
  assert.ok(Number.isNaN(clipGradNorm([a], 1)));
  assert.equal(clipGradNorm([b], 1), Infinity);
  assert.equal(a.grad!.toFloat32Array()[1], 1);
  assert.throws(() => clipGradNorm([a], 0), /\[clipGradNorm\] maxNorm must be positive, got 0/);
});

// The Trainer clips by passing clipCoefficient to optimizer.step(coef): the same update as
// scaling every gradient first, without the pass over the gradients.
test("step(clipCoefficient) equals clipGradNorm then step(), for AdamW and SGD", () => {
  for (const make of [(p: Tensor[]) => new AdamW(p, { lr: 0.1, weight_decay: 0.01 }), (p: Tensor[]) => new SGD(p, { lr: 0.1, momentum: 0.9 })]) {
    const run = (fused: boolean) => {
      const w = tensor([0.5, -1, 2, 3]).setRequiresGrad(true);
      const opt = make([w]);
      assert.equal(opt.fusesGradScale, true);
      for (let i = 0; i < 3; i++) {
        w.grad = tensor([3, -4, 12, 0.5]).keep();
        if (fused) opt.step(clipCoefficient(gradNorm([w]), 1));
        else {
          clipGradNorm([w], 1);
          opt.step();
        }
      }
      return [...w.data];
    };
    const fused = run(true);
    const separate = run(false);
    fused.forEach((v, i) => assert.ok(Math.abs(v - separate[i]) <= 1e-6 * Math.max(1, Math.abs(v)), `${v} vs ${separate[i]}`));
  }
  assert.equal(clipCoefficient(0.5, 1), 1);
  assert.equal(clipCoefficient(Number.NaN, 1), 1);
  assert.ok(Math.abs(clipCoefficient(13, 1) - 1 / (13 + 1e-6)) < 1e-12);
});
