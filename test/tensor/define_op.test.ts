// defineOp: the engine owns lifetimes. Forward returns { out, saved }; whatever else the op
// created (contiguous copies, statistics nobody saved) is freed on return, saved temporaries
// when backward is done with them — outside any scope too, so the counts below are the
// engine's work alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bufferCache, defineOp, manualSeed, noGrad, randn, rmsNorm, scope, Tensor } from "../../src/index.js";

/** Live bytes one float32 tensor of this shape costs (the buffer cache rounds sizes up). */
function bytes(...shape: number[]): number {
  const before = bufferCache.liveBytes;
  const t = Tensor.empty(shape);
  const cost = bufferCache.liveBytes - before;
  t.dispose();
  return cost;
}

test("an op outside a graph keeps only its output: copies and unsaved statistics are freed on return", () => {
  manualSeed(0);
  const x = randn([8, 16]).transpose(0, 1); // non-contiguous: the op makes a copy
  const out = bytes(16, 8);
  const before = bufferCache.liveBytes;
  const y = noGrad(() => rmsNorm(x, null, 1e-6)); // forward also computes rstd (16 rows)
  assert.equal(bufferCache.liveBytes - before, out, "only y is live");
  y.dispose();
  assert.equal(bufferCache.liveBytes, before);
});

test("a recorded op holds its saved temporaries until backward is done with them, then frees them", () => {
  manualSeed(1);
  const x = randn([8, 16]).setRequiresGrad(true);
  const xt = noGrad(() => x.transpose(0, 1)).detach().setRequiresGrad(true); // a non-contiguous leaf
  const [rows, stats] = [bytes(16, 8), bytes(16)];
  const before = bufferCache.liveBytes;
  const y = rmsNorm(xt, null, 1e-6);
  // y, plus what backward reads: the contiguous copy of x and rstd.
  assert.equal(bufferCache.liveBytes - before, rows + rows + stats);
  assert.deepEqual(y.gradFn!.savedTensors.map((t) => t.shape), [[16, 8], [16]]);
  const seed = Tensor.onesLike(y);
  y.backward(seed);
  // The node is done: its copy and rstd are gone; y, the seed and xt's gradient remain.
  assert.equal(bufferCache.liveBytes - before, rows + rows + rows);
  assert.equal(y.gradFn!.savedTensors.length, 0);
});

test("a new op declares typed saved state; the engine frees its scratch and hands backward the record", () => {
  let scratch: Tensor | null = null;
  let seenScale = 0;
  const scaleBy = defineOp({
    name: "test_scale_by",
    forward({ needsInputGrad }, x: Tensor, k: number) {
      scratch = Tensor.empty(x.shape); // never returned nor saved: the engine frees it
      const out = x.mul(k);
      return { out, saved: { k, x: needsInputGrad[0] ? x : null } };
    },
    backward({ k, x }, dy) {
      seenScale = k;
      assert.ok(x, "x was saved because it needs a gradient");
      return [dy.mul(k)];
    },
  });
  const x = randn([3]).setRequiresGrad(true);
  const y = scaleBy(x, 2.5);
  assert.equal(scratch!.isFreed, true);
  assert.equal(y.gradFn!.savedTensors[0], x);
  y.sum().backward();
  assert.equal(seenScale, 2.5);
  assert.deepEqual(Array.from(x.grad!.toFloat32Array()), [2.5, 2.5, 2.5]);
});

test("backward's temporaries are freed when it returns; only the gradients survive", () => {
  manualSeed(2);
  const x = randn([4, 6]).transpose(0, 1).detach().setRequiresGrad(true);
  scope(() => {
    const y = x.exp(); // backward reads y, makes a contiguous copy of a strided dy
    const dy = randn([4, 6]).transpose(0, 1);
    const grad = bytes(6, 4);
    const before = bufferCache.liveBytes;
    y.backward(dy);
    // x.grad is the only new buffer (y's saved output is y itself, still live).
    assert.equal(bufferCache.liveBytes - before, grad);
  });
});
