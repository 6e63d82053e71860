import { test } from "node:test";
import assert from "node:assert/strict";
import { applyRotaryEmb, ropeInvFreq, ropeTables } from "../../../src/index.js";
import { assertClose } from "../../helpers/close.js";
import { leaf } from "../../helpers/gradcheck.js";

test("default inv_freq is theta^(-2i/D)", () => {
  assertClose(ropeInvFreq(4, 10000), [1, 0.01], 0, 1e-7);
  assertClose(ropeInvFreq(8, 100), [1, 100 ** -0.25, 0.1, 100 ** -0.75], 0, 1e-6);
});

test("linear scaling divides every frequency by factor", () => {
  const base = ropeInvFreq(8, 10000);
  assertClose(ropeInvFreq(8, 10000, { type: "linear", factor: 4 }), Array.from(base, (v) => v / 4), 0, 1e-6);
});

test("llama3 scaling: high frequencies kept, low ones divided by factor, the middle smoothed", () => {
  const scaling = { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 };
  const D = 128;
  const base = ropeInvFreq(D, 500000);
  const scaled = ropeInvFreq(D, 500000, scaling);
  let seen = { high: 0, low: 0, mid: 0 };
  for (let i = 0; i < D / 2; i++) {
    const wavelen = (2 * Math.PI) / base[i];
    let expect: number;
    if (wavelen < 8192 / 4) {
      expect = base[i];
      seen.high++;
    } else if (wavelen > 8192 / 1) {
      expect = base[i] / 8;
      seen.low++;
    } else {
      const smooth = (8192 / wavelen - 1) / (4 - 1);
      expect = (1 - smooth) * (base[i] / 8) + smooth * base[i];
      seen.mid++;
    }
    assert.ok(Math.abs(scaled[i] - expect) <= 1e-6 * expect, `i=${i}: ${scaled[i]} vs ${expect}`);
  }
  assert.ok(seen.high > 0 && seen.low > 0 && seen.mid > 0, JSON.stringify(seen));
  // Llama 3.1 8B's first and last frequencies.
  assert.equal(scaled[0], 1);
  assertClose([scaled[63]], [base[63] / 8], 0, 1e-6);
});

test("applyRotaryEmb rotates pairs (x[i], x[i + D/2]) by position * invFreq[i]", () => {
  const [B, H, T, D] = [2, 2, 3, 6];
  const x = leaf([B, H, T, D], 4);
  const { cos, sin } = ropeTables(D, 10, 500);
  const pos = [[0, 4, 9], [2, 2, 7]];
  const y = applyRotaryEmb(x, cos, sin, pos).toFloat32Array();
  const inv = ropeInvFreq(D, 500);
  const xv = x.toFloat32Array();
  const ref = new Float64Array(xv.length);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let t = 0; t < T; t++) {
    const o = ((b * H + h) * T + t) * D;
    for (let i = 0; i < D / 2; i++) {
      const a = pos[b][t] * inv[i];
      const x1 = xv[o + i], x2 = xv[o + i + D / 2];
      ref[o + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
      ref[o + i + D / 2] = x2 * Math.cos(a) + x1 * Math.sin(a);
    }
  }
  assertClose(y, ref, 1e-5, 1e-5);
});

test("applyRotaryEmb backward is the inverse rotation (norms preserved)", () => {
  const x = leaf([1, 1, 2, 4], 2);
  const { cos, sin } = ropeTables(4, 4);
  const y = applyRotaryEmb(x, cos, sin, [[1, 3]]);
  const dy = leaf([1, 1, 2, 4], 7).detach();
  y.backward(dy);
  // <R x, dy> = <x, R^T dy> for a rotation: the gradient is R^T dy.
  const back = applyRotaryEmb(x.grad!, cos, sin, [[1, 3]]).toFloat32Array();
  assertClose(back, dy.toFloat32Array(), 1e-6);
});
