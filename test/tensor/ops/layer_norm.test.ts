import { test } from "node:test";
import assert from "node:assert/strict";
import { layerNorm, rmsNorm, noGrad, tensor } from "../../../src/index.js";
import { assertClose } from "../../helpers/close.js";
import { leaf } from "../../helpers/gradcheck.js";

function refLayerNorm(x: Float32Array, C: number, w: Float32Array | null, b: Float32Array | null, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / C; r++) {
    let mean = 0;
    for (let j = 0; j < C; j++) mean += x[r * C + j];
    mean /= C;
    let v = 0;
    for (let j = 0; j < C; j++) v += (x[r * C + j] - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / C + eps);
    for (let j = 0; j < C; j++) out[r * C + j] = (x[r * C + j] - mean) * rstd * (w ? w[j] : 1) + (b ? b[j] : 0);
  }
  return out;
}

test("layerNorm matches the reference (biased variance, eps inside the sqrt)", () => {
  const x = leaf([3, 8], 1, 3, 1);
  const w = leaf([8], 2);
  const b = leaf([8], 3);
  const y = layerNorm(x, 8, w, b, 1e-5);
  assertClose(y.toFloat32Array(), refLayerNorm(x.toFloat32Array(), 8, w.toFloat32Array(), b.toFloat32Array(), 1e-5), 1e-5, 1e-4);
  const y2 = layerNorm(x, [8], null, null, 0.1);
  assertClose(y2.toFloat32Array(), refLayerNorm(x.toFloat32Array(), 8, null, null, 0.1), 1e-5, 1e-4);
});

test("layerNorm of a frozen input computes only weight and bias gradients", () => {
  const x = tensor([[1, 2, 4, 8], [0, -1, 3, 2]]);
  const w = leaf([4], 2);
  const b = leaf([4], 3);
  const y = layerNorm(x, 4, w, b);
  y.sum().backward();
  assert.equal(x.grad, null);
  // d(sum y)/db = number of rows; d/dw = sum of the normalized rows.
  assertClose(b.grad!.toFloat32Array(), [2, 2, 2, 2], 1e-6);
  const xhat = refLayerNorm(x.toFloat32Array(), 4, null, null, 1e-5);
  assertClose(w.grad!.toFloat32Array(), [0, 1, 2, 3].map((j) => xhat[j] + xhat[4 + j]), 1e-5);
});

test("layerNorm and rmsNorm keep nothing alive without a graph", () => {
  const x = leaf([2, 4], 1);
  const y = noGrad(() => layerNorm(x, 4));
  assert.equal(y.gradFn, null);
  assert.equal(x.savedCount, 0);
  const z = rmsNorm(x.detach(), leaf([4], 2).detach());
  assert.equal(z.gradFn, null);
});

test("rmsNorm matches the reference", () => {
  const x = leaf([3, 6], 1, 2);
  const w = leaf([6], 2, 1, 1);
  const y = rmsNorm(x, w, 1e-6).toFloat32Array();
  const xv = x.toFloat32Array();
  const wv = w.toFloat32Array();
  const ref = new Float64Array(18);
  for (let r = 0; r < 3; r++) {
    let ms = 0;
    for (let j = 0; j < 6; j++) ms += xv[r * 6 + j] ** 2;
    const rstd = 1 / Math.sqrt(ms / 6 + 1e-6);
    for (let j = 0; j < 6; j++) ref[r * 6 + j] = xv[r * 6 + j] * rstd * wv[j];
  }
  assertClose(y, ref, 1e-5, 1e-4);
});

test("norms of empty batches", () => {
  assert.deepEqual(layerNorm(leaf([0, 4]), 4).shape, [0, 4]);
  assert.deepEqual(rmsNorm(leaf([0, 4])).shape, [0, 4]);
});
