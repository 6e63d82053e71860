import { test } from "node:test";
import assert from "node:assert/strict";
import { linear, matmul, tensor, zeros } from "../../../src/index.js";
import { assertClose } from "../../helpers/close.js";
import { leaf } from "../../helpers/gradcheck.js";

test("linear with a frozen weight computes only the input gradient", () => {
  const x = leaf([3, 4], 1);
  const w = leaf([2, 4], 2).detach();
  const b = leaf([2], 3).detach();
  const y = linear(x, w, b);
  // Only the weight is saved (for dx); x would be saved only for a weight gradient.
  assert.equal(y.gradFn!.savedTensors.length, 1);
  assert.equal(y.gradFn!.savedTensors[0], w);
  y.sum().backward();
  assert.equal(w.grad, null);
  assert.equal(b.grad, null);
  const wv = w.toFloat32Array();
  assertClose(x.grad!.toFloat32Array(), Array.from({ length: 12 }, (_, i) => wv[i % 4] + wv[4 + (i % 4)]), 1e-6);
});

test("linear with a frozen bfloat16 weight matches float32 up to bf16 rounding", () => {
  const x = leaf([2, 8], 1);
  const w = leaf([3, 8], 2).detach();
  const wb = w.to("bfloat16");
  const ref = linear(x.detach(), wb.float()).toFloat32Array();
  const y = linear(x, wb);
  assertClose(y.toFloat32Array(), ref, 1e-5, 1e-5);
  y.sum().backward();
  assert.equal(x.grad!.dtype, "float32");
});

test("linear weight layouts agree: (out, in) vs (in, out)", () => {
  const x = leaf([2, 3], 1);
  const w = leaf([4, 3], 2);
  const a = linear(x, w).toFloat32Array();
  const b = linear(x, w.T.contiguous(), null, "in_out").toFloat32Array();
  assertClose(a, b, 1e-6);
});

test("matmul edge shapes: empty K gives zeros, empty M gives an empty result, 1-D dot gives a scalar", () => {
  assert.deepEqual(matmul(zeros([2, 0]), zeros([0, 3])).tolist(), [[0, 0, 0], [0, 0, 0]]);
  assert.deepEqual(matmul(zeros([0, 2]), zeros([2, 3])).shape, [0, 3]);
  const d = matmul(tensor([1, 2, 3]), tensor([4, 5, 6]));
  assert.deepEqual(d.shape, []);
  assert.equal(d.item(), 32);
});
