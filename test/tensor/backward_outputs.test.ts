// One rule for backward kernels: each writes its whole output (native/kernels.h), and the
// autograd engine sums gradients that meet. So a weight used twice gets the sum of both
// uses, nothing stale leaks in from reused memory (the buffer cache hands back freed
// buffers with their old contents), and rows no index reaches are exactly zero.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  type Tensor, tensor, embedding, indexSelect, layerNorm, manualSeed, randn, rmsNorm, scaledDotProductAttention, scope, slice,
} from "../../src/index.js";
import { assertClose } from "../helpers/close.js";

/** Fills the buffer cache with freed buffers full of a large value, so an output that is not written shows it. */
function dirtyCache(): void {
  scope(() => {
    for (const n of [4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096]) randn([n]).mul(1e6);
  });
}

/** The gradient of sum(R * f(w)) with respect to w, for a fixed random R per call site. */
function gradOf(w: Tensor, f: (w: Tensor) => Tensor, seed: number): Float32Array {
  const leaf = w.detach().setRequiresGrad(true);
  const out = f(leaf);
  manualSeed(seed);
  out.mul(randn(out.shape)).sum().backward();
  return leaf.grad!.toFloat32Array();
}

function sum(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]);
}

test("a weight used twice gets the sum of both uses' gradients, whatever its memory held before", () => {
  manualSeed(0);
  const x1 = randn([3, 5, 8]), x2 = randn([2, 8]);
  const table = randn([10, 8]);
  const ids1 = [[1, 2, 2], [9, 0, 1]], ids2 = [[2, 7]];
  const cases: [string, Tensor, (w: Tensor, i: 1 | 2) => Tensor][] = [
    ["layer_norm weight", randn([8]), (w, i) => layerNorm(i === 1 ? x1 : x2, 8, w, null)],
    ["layer_norm bias", randn([8]), (b, i) => layerNorm(i === 1 ? x1 : x2, 8, null, b)],
    ["rms_norm weight", randn([8]), (w, i) => rmsNorm(i === 1 ? x1 : x2, w)],
    ["embedding table", table, (w, i) => embedding(i === 1 ? ids1 : ids2, w)],
    ["index_select source", table, (w, i) => indexSelect(w, 0, i === 1 ? [3, 3, 0] : [0, 5])],
    ["slice source", table, (w, i) => (i === 1 ? slice(w, 0, 1, 9, 3) : slice(w, 1, 2, 6))],
  ];
  for (const [name, w, f] of cases) {
    dirtyCache();
    const one = gradOf(w, (v) => f(v, 1), 1);
    dirtyCache();
    const two = gradOf(w, (v) => f(v, 2), 2);
    dirtyCache();
    const both = (() => {
      const leaf = w.detach().setRequiresGrad(true);
      const a = f(leaf, 1), b = f(leaf, 2);
      manualSeed(1);
      const la = a.mul(randn(a.shape)).sum();
      manualSeed(2);
      la.add(b.mul(randn(b.shape)).sum()).backward();
      return leaf.grad!.toFloat32Array();
    })();
    assertClose(both, sum(one, two), 1e-5, 1e-5, name);
  }
});

test("rows no index reaches get exactly zero gradient (embedding, index_select, the padding row)", () => {
  manualSeed(3);
  dirtyCache();
  const g = gradOf(randn([6, 4]), (w) => embedding([[1, 1, 4]], w, 4), 3);
  for (const row of [0, 2, 3, 4, 5]) assert.deepEqual(Array.from(g.subarray(row * 4, row * 4 + 4)), [0, 0, 0, 0], `row ${row}`);
  dirtyCache();
  const h = gradOf(randn([5, 3]), (w) => indexSelect(w, 0, [2, 2]), 4);
  for (const row of [0, 1, 3, 4]) assert.deepEqual(Array.from(h.subarray(row * 3, row * 3 + 3)), [0, 0, 0], `row ${row}`);
});

test("an attention bias used by two calls, one with keys masked out, gets the sum of both gradients", () => {
  manualSeed(5);
  const q = randn([2, 2, 4, 8]), k = randn([2, 2, 5, 8]), v = randn([2, 2, 5, 8]);
  const bias = randn([1, 2, 4, 5]); // shared over the batch: its gradient sums over b
  const keyPaddingMask = tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]]);
  const attend = (b: Tensor, i: 1 | 2) =>
    scaledDotProductAttention(q, k, v, i === 1 ? { bias: b } : { bias: b, keyPaddingMask, isCausal: true });
  dirtyCache();
  const one = gradOf(bias, (b) => attend(b, 1), 6);
  dirtyCache();
  const two = gradOf(bias, (b) => attend(b, 2), 7);
  // Masked keys (batch 0, keys 3-4 under the mask) and future keys (causal) get no gradient from call 2.
  dirtyCache();
  const leaf = bias.detach().setRequiresGrad(true);
  const a = attend(leaf, 1), b = attend(leaf, 2);
  manualSeed(6);
  const la = a.mul(randn(a.shape)).sum();
  manualSeed(7);
  la.add(b.mul(randn(b.shape)).sum()).backward();
  assertClose(leaf.grad!.toFloat32Array(), sum(one, two), 1e-5, 1e-5);
  assert.ok(two.every(Number.isFinite) && Math.max(...two.map(Math.abs)) < 100, "no stale memory in the masked entries");
});
