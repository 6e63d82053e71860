/**
 * Finite-difference gradient checks: compares autograd's gradient of
 * L = sum(f(inputs) * R) (R a fixed random projection) against central differences.
 */
import assert from "node:assert/strict";
import { Tensor, noGrad, tensor } from "../../src/index.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Indices of inputs to check (default: every float32 input that requires grad). */
  check?: number[];
}

function projection(n: number, seed: number): Float64Array {
  const r = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    r[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return r;
}

function lossValue(out: Tensor, R: Float64Array): number {
  const v = out.toFloat32Array();
  let acc = 0;
  for (let i = 0; i < v.length; i++) acc += v[i] * R[i];
  return acc;
}

/** Asserts that autograd gradients of f match finite differences for each checked input. */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): void {
  const eps = opts.eps ?? 1e-2;
  const atol = opts.atol ?? 2e-3;
  const rtol = opts.rtol ?? 2e-2;
  const out = f(...inputs);
  const R = projection(out.numel, 12345);
  const Rt = tensor(Float32Array.from(R), { shape: out.shape });
  out.mul(Rt).sum().backward();
  const which = opts.check ?? inputs.map((_, i) => i).filter((i) => inputs[i].requiresGrad);
  for (const i of which) {
    const x = inputs[i];
    assert.ok(x.grad, `input ${i} received no gradient`);
    const analytic = x.grad.toFloat32Array();
    const data = x.data as Float32Array;
    for (let k = 0; k < data.length; k++) {
      const orig = data[k];
      data[k] = orig + eps;
      const plus = noGrad(() => lossValue(f(...inputs), R));
      data[k] = orig - eps;
      const minus = noGrad(() => lossValue(f(...inputs), R));
      data[k] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const err = Math.abs(numeric - analytic[k]);
      assert.ok(
        err <= atol + rtol * Math.abs(numeric),
        `input ${i} element ${k}: autograd ${analytic[k]} vs finite difference ${numeric} (|diff| ${err.toExponential(2)})`,
      );
    }
    x.grad.dispose();
    x.grad = null;
  }
}

/** A float32 leaf with deterministic pseudo-random values that requires grad. */
export function leaf(shape: number[], seed = 1, scale = 1, offset = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = projection(n, seed);
  const t = tensor(Float32Array.from(r, (v) => v * scale + offset), { shape });
  t.setRequiresGrad(true);
  return t;
}
