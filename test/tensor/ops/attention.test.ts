import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, scaledDotProductAttention, tensor, where, type Tensor } from "../../../src/index.js";
import { assertClose } from "../../helpers/close.js";
import { gradcheck, leaf } from "../../helpers/gradcheck.js";

interface RefOpts { causal?: boolean; mask?: number[][]; bias?: Float32Array; biasBatch?: number; scale?: number }

/** softmax(q k^T * scale + bias + masks) v in double precision, rows with no key give 0. */
function reference(q: Tensor, k: Tensor, v: Tensor, o: RefOpts = {}): Float64Array {
  const [B, H, Tq, D] = q.shape;
  const [, Hkv, Tk] = k.shape;
  const qv = q.toFloat32Array(), kv = k.toFloat32Array(), vv = v.toFloat32Array();
  const scale = o.scale ?? 1 / Math.sqrt(D);
  const out = new Float64Array(B * H * Tq * D);
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) {
    const hk = Math.floor(h / (H / Hkv));
    for (let i = 0; i < Tq; i++) {
      const s: number[] = [];
      for (let j = 0; j < Tk; j++) {
        const visible = (!o.causal || j <= i + (Tk - Tq)) && (!o.mask || o.mask[b][j] !== 0);
        if (!visible) { s.push(-Infinity); continue; }
        let dot = 0;
        for (let d = 0; d < D; d++) dot += qv[((b * H + h) * Tq + i) * D + d] * kv[((b * Hkv + hk) * Tk + j) * D + d];
        const bb = o.bias ? o.bias[((((o.biasBatch === 1 ? 0 : b) * H + h) * Tq + i) * Tk) + j] : 0;
        s.push(dot * scale + bb);
      }
      const m = Math.max(...s);
      if (m === -Infinity) continue;
      const p = s.map((x) => Math.exp(x - m));
      const z = p.reduce((a, c) => a + c, 0);
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let j = 0; j < Tk; j++) acc += (p[j] / z) * vv[((b * Hkv + hk) * Tk + j) * D + d];
        out[((b * H + h) * Tq + i) * D + d] = acc;
      }
    }
  }
  return out;
}

test("sdpa matches the reference: plain, causal with a past, GQA", () => {
  const q = leaf([2, 4, 3, 8], 1, 2), k = leaf([2, 2, 5, 8], 2, 2), v = leaf([2, 2, 5, 8], 3);
  assertClose(scaledDotProductAttention(q, k, v).toFloat32Array(), reference(q, k, v), 1e-5, 1e-4);
  assertClose(scaledDotProductAttention(q, k, v, { isCausal: true }).toFloat32Array(), reference(q, k, v, { causal: true }), 1e-5, 1e-4);
  assertClose(scaledDotProductAttention(q, k, v, { scale: 0.3 }).toFloat32Array(), reference(q, k, v, { scale: 0.3 }), 1e-5, 1e-4);
});

test("sdpa key padding mask of any dtype, and fully masked rows give zeros", () => {
  const q = leaf([2, 1, 2, 4], 1), k = leaf([2, 1, 3, 4], 2), v = leaf([2, 1, 3, 4], 3);
  const mask = [[1, 0, 1], [0, 0, 0]];
  const ref = reference(q, k, v, { mask });
  for (const dtype of ["int32", "float32", "uint8"] as const) {
    const out = scaledDotProductAttention(q, k, v, { keyPaddingMask: tensor(mask, { dtype }) });
    assertClose(out.toFloat32Array(), ref, 1e-5, 1e-4, dtype);
  }
  const out = scaledDotProductAttention(q, k, v, { keyPaddingMask: tensor(mask, { dtype: "int32" }) });
  assert.deepEqual(Array.from(out.toFloat32Array().subarray(8)), new Array(8).fill(0));
  out.sum().backward();
  for (const t of [q, k, v]) for (const g of t.grad!.toFloat32Array()) assert.ok(Number.isFinite(g));
  // The fully masked batch row sends no gradient anywhere.
  assert.deepEqual(Array.from(q.grad!.toFloat32Array().subarray(8)), new Array(8).fill(0));
  assert.deepEqual(Array.from(k.grad!.toFloat32Array().subarray(12)), new Array(12).fill(0));
});

// The mask is read as where() reads its condition: any non-zero value (NaN included) attends.
test("sdpa key padding mask: any non-zero value attends, as where() selects", () => {
  const q = leaf([2, 1, 2, 4], 1), k = leaf([2, 1, 3, 4], 2), v = leaf([2, 1, 3, 4], 3);
  const pattern = [[1, 0, 1], [0, 1, 1]];
  const ref = reference(q, k, v, { mask: pattern });
  const masks = [
    tensor([[0.5, 0, -2], [0, NaN, 1e-30]]),
    tensor([[256, 0, -1], [0, 7, 65536]], { dtype: "int32" }),
    tensor([[2, 0, 255], [0, 128, 1]], { dtype: "uint8" }),
    tensor([[2, 0], [0, 128], [255, 1]], { dtype: "uint8" }).transpose(0, 1), // a strided view
  ];
  for (const mask of masks) {
    const what = `${mask.dtype} ${JSON.stringify(mask.tolist())}`;
    assert.deepEqual(where(mask, 1, 0).tolist(), pattern, what);
    assertClose(scaledDotProductAttention(q, k, v, { keyPaddingMask: mask }).toFloat32Array(), ref, 1e-5, 1e-4, what);
  }
});

test("sdpa additive bias with batch 1 and B", () => {
  const q = leaf([2, 2, 3, 4], 1), k = leaf([2, 2, 3, 4], 2), v = leaf([2, 2, 3, 4], 3);
  for (const Bb of [1, 2]) {
    const bias = leaf([Bb, 2, 3, 3], 4 + Bb, 2);
    const out = scaledDotProductAttention(q, k, v, { bias, scale: 1 });
    assertClose(out.toFloat32Array(), reference(q, k, v, { bias: bias.toFloat32Array(), biasBatch: Bb, scale: 1 }), 1e-5, 1e-4);
  }
});

test("sdpa dropout: deterministic under manualSeed, differentiable with the same mask", () => {
  const q = leaf([1, 2, 4, 4], 1), k = leaf([1, 2, 4, 4], 2), v = leaf([1, 2, 4, 4], 3);
  manualSeed(11);
  const a = scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).toFloat32Array();
  manualSeed(11);
  const b = scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).toFloat32Array();
  assert.deepEqual(a, b);
  const c = scaledDotProductAttention(q, k, v, { dropoutP: 0.5 }).toFloat32Array();
  assert.notDeepEqual(a, c);
  gradcheck((x, y, z) => { manualSeed(3); return scaledDotProductAttention(x, y, z, { dropoutP: 0.3 }); }, [q, k, v]);
});

test("sdpa with no keys or no queries", () => {
  const out = scaledDotProductAttention(leaf([1, 1, 2, 4]), leaf([1, 1, 0, 4]), leaf([1, 1, 0, 4]));
  assert.deepEqual(Array.from(out.toFloat32Array()), new Array(8).fill(0));
  assert.deepEqual(scaledDotProductAttention(leaf([1, 1, 0, 4]), leaf([1, 1, 3, 4]), leaf([1, 1, 3, 4])).shape, [1, 1, 0, 4]);
});
