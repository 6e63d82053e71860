import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../src/index.js";
import { clipGradNorm, gradNorm } from "../../src/optim/index.js";
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
