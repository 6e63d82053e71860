// Linear4bit: the fused dequantizing GEMM equals dequantize-then-linear in forward and for
// the input gradient; finite differences agree; no weight gradient; bf16 compute stays
// within bfloat16 rounding of float32 compute (the difference is measured and stated).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, randn, linear, manualSeed, noGrad } from "../../src/tensor/index.js";
import { quantize4bit } from "../../src/quant/functional.js";
import { Linear4bit } from "../../src/quant/linear4bit.js";
import { gradcheck } from "../helpers/gradcheck.js";

function layer(outF: number, inF: number, opts: { quant_type?: "nf4" | "fp4"; compress?: boolean; bias?: boolean; bf16?: boolean } = {}) {
  const w = randn([outF, inF]);
  const [packed, state] = quantize4bit(w, { quant_type: opts.quant_type ?? "nf4", compress_statistics: opts.compress ?? true });
  const bias = opts.bias === false ? null : randn([outF]);
  return new Linear4bit(inF, outF, packed.data as Uint8Array, state, bias, { compute_dtype: opts.bf16 ? "bfloat16" : "float32" });
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  if (a.some(Number.isNaN)) return NaN;
  return m;
}

test("forward and input gradient equal dequantize-then-linear (nf4/fp4, nested or not, odd sizes)", () => {
  manualSeed(1);
  for (const quant_type of ["nf4", "fp4"] as const) {
    for (const compress of [false, true]) {
      for (const [outF, inF, rows] of [[70, 96, 5], [33, 130, 1], [130, 64, 37]]) {
        const l = layer(outF, inF, { quant_type, compress });
        const x = randn([rows, inF]).setRequiresGrad(true);
        const y = l.forward(x);
        const W = l.dequantizedWeight();
        const xr = x.detach().setRequiresGrad(true);
        const yr = linear(xr, W, l.bias);
        const d = maxAbs(y.toFloat32Array(), yr.toFloat32Array());
        assert.ok(d <= 1e-5 * Math.sqrt(inF), `${quant_type} ${compress} forward differs by ${d}`);
        const g = randn(y.shape);
        y.backward(g);
        yr.backward(g);
        const dg = maxAbs(x.grad!.toFloat32Array(), xr.grad!.toFloat32Array());
        assert.ok(dg <= 1e-5 * Math.sqrt(outF), `${quant_type} ${compress} dx differs by ${dg}`);
      }
    }
  }
});

test("gradcheck: input and bias gradients; the 4-bit weight has no gradient and no parameter", () => {
  manualSeed(2);
  const l = layer(12, 64);
  const x = randn([3, 2, 64]).setRequiresGrad(true);
  l.bias!.requiresGrad = true;
  gradcheck((a, b) => { void b; return l.forward(a); }, [x, l.bias!]);
  assert.deepEqual([...l.namedParameters()].map(([k]) => k), ["bias"]);
  assert.deepEqual([...l.stateDict().keys()].sort(), ["bias", "weight", "weight.absmax", "weight.nested_absmax", "weight.nested_quant_map", "weight.quant_map", "weight.quant_state.bitsandbytes__nf4"]);
});

test("bf16 compute: within bfloat16 rounding of float32 compute", (t) => {
  manualSeed(3);
  const l32 = layer(64, 256, { bias: false });
  const l16 = new Linear4bit(256, 64, l32.packed, l32.quantState, null, { compute_dtype: "bfloat16" });
  const x = randn([8, 256]);
  const [y32, y16] = noGrad(() => [l32.forward(x).toFloat32Array(), l16.forward(x).toFloat32Array()]);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < y32.length; i++) {
    worst = Math.max(worst, Math.abs(y32[i] - y16[i]));
    scale = Math.max(scale, Math.abs(y32[i]));
  }
  // Inputs and weights each carry <= 2^-9 relative rounding; the output one more rounding.
  const rel = worst / scale;
  t.diagnostic(`bf16 vs float32 compute: max |Δy| / max |y| = ${rel.toExponential(2)}`);
  assert.ok(rel > 0 && rel < 2e-2, `bf16 vs f32 relative difference ${rel}`);
  // Every output is a bfloat16 value.
  const bits = new Uint32Array(Float32Array.from(y16).buffer);
  assert.ok(bits.every((b) => (b & 0xffff) === 0));
  // Against bf16 compute written out: x and the dequantized weight rounded to bfloat16, the
  // products summed exactly (float64), the sum rounded to bfloat16: within one bfloat16 step
  // (the float32 accumulation may round the other way at a tie).
  const bf = (v: number) => {
    const u = new Uint32Array(new Float32Array([v]).buffer)[0];
    return new Float32Array(new Uint32Array([(u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000]).buffer)[0];
  };
  const xb = x.toFloat32Array().map(bf);
  const wb = l32.dequantizedWeight().toFloat32Array().map(bf);
  const stepsFrom = (y: Float32Array) => {
    let steps = 0;
    for (let r = 0; r < 8; r++) {
      for (let j = 0; j < 64; j++) {
        let acc = 0;
        for (let k = 0; k < 256; k++) acc += xb[r * 256 + k] * wb[j * 256 + k];
        const want = bf(acc);
        const ulp = 2 ** (Math.floor(Math.log2(Math.abs(want) || 1e-30)) - 7);
        steps = Math.max(steps, Math.abs(y[r * 64 + j] - want) / ulp);
      }
    }
    return steps;
  };
  const steps = stepsFrom(y16);
  t.diagnostic(`bf16 compute vs the written-out reference: ${steps} bfloat16 steps (float32 compute: ${stepsFrom(y32.map(bf)).toFixed(1)})`);
  assert.ok(steps <= 1, `bf16 compute is ${steps} bfloat16 steps from the written-out reference`);
});

test("bad input is refused with the layer's sizes", () => {
  const l = layer(8, 64);
  assert.throws(() => l.forward(Tensor.fromTypedArray(new Float32Array(6), [2, 3])), /takes 64 features/);
});
