import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, softmax, logSoftmax, logsumexp, zeros, full } from "../../../src/index.js";
import { assertClose } from "../../helpers/close.js";
import { leaf } from "../../helpers/gradcheck.js";

function refSoftmaxRows(x: Float32Array, C: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / C; r++) {
    let m = -Infinity;
    for (let j = 0; j < C; j++) m = Math.max(m, x[r * C + j]);
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(x[r * C + j] - m);
    for (let j = 0; j < C; j++) out[r * C + j] = Math.exp(x[r * C + j] - m) / s;
  }
  return out;
}

test("softmax matches the reference and rows sum to 1", () => {
  const x = leaf([4, 7], 3, 3);
  const y = softmax(x, -1).toFloat32Array();
  assertClose(y, refSoftmaxRows(x.toFloat32Array(), 7), 1e-6, 1e-5);
  const lp = logSoftmax(x, 1).toFloat32Array();
  assertClose(lp, Array.from(refSoftmaxRows(x.toFloat32Array(), 7), Math.log), 1e-5, 1e-5);
});

test("softmax over a non-last dim equals softmax of the transpose", () => {
  const x = leaf([3, 4, 5], 2, 2);
  const a = softmax(x, 1);
  assert.deepEqual(a.shape, [3, 4, 5]);
  const b = softmax(x.transpose(1, 2), -1).transpose(1, 2);
  assertClose(a.toFloat32Array(), b.toFloat32Array(), 1e-7);
  const c = softmax(x, 0).sum(0).toFloat32Array();
  assertClose(c, new Float32Array(20).fill(1), 1e-6);
});

test("softmax, logSoftmax and logsumexp stay finite at ±1e4", () => {
  const x = tensor([[1e4, -1e4, 0], [-1e4, -1e4, -1e4], [1e4, 1e4 - 1, -1e4]]);
  for (const t of [softmax(x, -1), logSoftmax(x, -1), logsumexp(x, -1)]) {
    for (const v of t.toFloat32Array()) assert.ok(Number.isFinite(v), `got ${v}`);
  }
  assertClose(softmax(x, -1).toFloat32Array(), [1, 0, 0, 1 / 3, 1 / 3, 1 / 3, 1 / (1 + Math.exp(-1)), Math.exp(-1) / (1 + Math.exp(-1)), 0], 1e-6);
  assertClose(logsumexp(x, 1).toFloat32Array(), [1e4, -1e4 + Math.log(3), 1e4 + Math.log(1 + Math.exp(-1))], 1e-2, 1e-6);
  const g = leaf([2, 3], 1);
  const big = g.mul(1e4);
  big.logSoftmax(-1).sum().backward();
  for (const v of g.grad!.toFloat32Array()) assert.ok(Number.isFinite(v));
});

test("logsumexp of a row of -inf is -inf, not NaN; keepdim keeps the dim", () => {
  const x = full([2, 3], -Infinity);
  assert.deepEqual(Array.from(logsumexp(x, 1).toFloat32Array()), [-Infinity, -Infinity]);
  assert.deepEqual(logsumexp(leaf([2, 3]), 0, true).shape, [1, 3]);
});

test("softmax of empty and size-1 dims, and of a scalar", () => {
  assert.deepEqual(softmax(zeros([0, 3]), -1).shape, [0, 3]);
  assert.deepEqual(softmax(zeros([2, 0]), -1).shape, [2, 0]);
  assert.deepEqual(Array.from(softmax(leaf([3, 1]), 1).toFloat32Array()), [1, 1, 1]);
  assert.equal(softmax(tensor(5), 0).item(), 1);
  assert.equal(logSoftmax(tensor(5), -1).item(), 0);
});
