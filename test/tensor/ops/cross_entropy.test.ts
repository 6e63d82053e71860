import { test } from "node:test";
import assert from "node:assert/strict";
import { crossEntropy, tensor } from "../../../src/index.js";
import { assertClose } from "../../helpers/close.js";
import { leaf } from "../../helpers/gradcheck.js";

/** torch's per-row loss: -(1-ls) logp[y] - ls/V sum(logp). */
function refRows(x: Float32Array, V: number, y: number[], ls = 0, ignore = -100): number[] {
  return y.map((t, r) => {
    if (t === ignore) return 0;
    const row = Array.from(x.subarray(r * V, (r + 1) * V));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
    const logp = row.map((v) => v - lse);
    return -(1 - ls) * logp[t] - (ls / V) * logp.reduce((a, v) => a + v, 0);
  });
}

test("crossEntropy reductions and label smoothing match torch's formulas", () => {
  const x = leaf([4, 6], 1, 3);
  const y = [5, 0, -100, 2];
  const rows = refRows(x.toFloat32Array(), 6, y, 0.2);
  assertClose(crossEntropy(x, y, { reduction: "none", label_smoothing: 0.2 }).toFloat32Array(), rows, 1e-5, 1e-5);
  assertClose([crossEntropy(x, y, { reduction: "sum", label_smoothing: 0.2 }).item()], [rows.reduce((a, b) => a + b)], 1e-5, 1e-5);
  // mean divides by the 3 non-ignored targets.
  assertClose([crossEntropy(x, y, { label_smoothing: 0.2 }).item()], [rows.reduce((a, b) => a + b) / 3], 1e-5, 1e-5);
});

test("crossEntropy gradient is (softmax - onehot) / count", () => {
  const x = leaf([2, 3], 2);
  crossEntropy(x, [1, 2]).backward();
  const xv = x.toFloat32Array();
  const expect: number[] = [];
  for (let r = 0; r < 2; r++) {
    const row = Array.from(xv.subarray(r * 3, r * 3 + 3));
    const z = row.reduce((a, v) => a + Math.exp(v), 0);
    row.forEach((v, j) => expect.push((Math.exp(v) / z - (j === [1, 2][r] ? 1 : 0)) / 2));
  }
  assertClose(x.grad!.toFloat32Array(), expect, 1e-6, 1e-5);
});

test("all targets ignored: loss 0 with a zero gradient (not NaN)", () => {
  const x = leaf([3, 4], 1);
  const loss = crossEntropy(x, [-100, -100, -100]);
  assert.equal(loss.item(), 0);
  loss.backward();
  assert.deepEqual(Array.from(x.grad!.toFloat32Array()), new Array(12).fill(0));
});

test("crossEntropy of huge logits stays finite", () => {
  const x = tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]).setRequiresGrad(true);
  const loss = crossEntropy(x, [1, 2]);
  assertClose([loss.item()], [(2e4 + Math.log(2)) / 2], 1e-2, 1e-6);
  loss.backward();
  for (const g of x.grad!.toFloat32Array()) assert.ok(Number.isFinite(g));
});

test("crossEntropy over (B, T, V) logits with (B, T) targets", () => {
  const x = leaf([2, 3, 5], 3, 2);
  const y = [[1, 2, 3], [4, -100, 0]];
  const flat = crossEntropy(x.reshape(6, 5), y.flat());
  assertClose([crossEntropy(x, y).item()], [flat.item()], 1e-7);
  assert.deepEqual(crossEntropy(x, y, { reduction: "none" }).shape, [2, 3]);
});
