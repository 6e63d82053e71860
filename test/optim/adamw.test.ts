import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../src/index.js";
import { AdamW, SGD } from "../../src/optim/index.js";
import { assertClose } from "../helpers/close.js";

function setGrad(p: Tensor, g: number[]): void {
  p.grad?.dispose();
  p.grad = tensor(g).keep();
}

/** torch.optim.AdamW's update, in double precision. */
function refAdamW(p: number[], grads: number[][], lr: number, b1: number, b2: number, eps: number, wd: number): number[] {
  const m = p.map(() => 0), v = p.map(() => 0);
  p = [...p];
  grads.forEach((g, k) => {
    const t = k + 1;
    for (let i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * wd;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mhat = m[i] / (1 - b1 ** t);
      const vhat = v[i] / (1 - b2 ** t);
      p[i] -= (lr * mhat) / (Math.sqrt(vhat) + eps);
    }
  });
  return p;
}

const GRADS = [[0.1, -0.2, 0.3, 0], [0.5, 0.5, -1, 2], [-0.3, 0.01, 0.2, -0.1]];

test("AdamW matches torch.optim.AdamW's formula step by step", () => {
  const p = tensor([1, -2, 0.5, 3]).setRequiresGrad(true).keep();
  const opt = new AdamW([p], { lr: 0.1, betas: [0.9, 0.99], eps: 1e-8, weight_decay: 0.1 });
  for (let k = 0; k < GRADS.length; k++) {
    setGrad(p, GRADS[k]);
    opt.step();
    assertClose(p.toFloat32Array(), refAdamW([1, -2, 0.5, 3], GRADS.slice(0, k + 1), 0.1, 0.9, 0.99, 1e-8, 0.1), 1e-6, 1e-6, `step ${k + 1}`);
  }
  assert.equal(opt.stateDict().state["0"].step, 3);
});

test("AdamW defaults are torch's; groups override lr and weight_decay; params without grad are skipped", () => {
  const a = tensor([1, 2]).setRequiresGrad(true).keep();
  const b = tensor([3, 4]).setRequiresGrad(true).keep();
  const c = tensor([5]).setRequiresGrad(true).keep();
  const opt = new AdamW([{ params: [a] }, { params: [b, c], lr: 0.5, weight_decay: 0 }]);
  assert.deepEqual({ ...opt.defaults }, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2 });
  setGrad(a, [1, 1]);
  setGrad(b, [1, -1]);
  opt.step();
  assertClose(a.toFloat32Array(), refAdamW([1, 2], [[1, 1]], 1e-3, 0.9, 0.999, 1e-8, 1e-2), 1e-6, 1e-6);
  assertClose(b.toFloat32Array(), refAdamW([3, 4], [[1, -1]], 0.5, 0.9, 0.999, 1e-8, 0), 1e-6, 1e-6);
  assert.deepEqual(Array.from(c.toFloat32Array()), [5]);
  assert.deepEqual(Object.keys(opt.stateDict().state), ["0", "1"]);
});

test("zeroGrad disposes gradients and sets them to null", () => {
  const p = tensor([1]).setRequiresGrad(true).keep();
  const opt = new AdamW([p]);
  setGrad(p, [1]);
  const g = p.grad!;
  opt.zeroGrad();
  assert.equal(p.grad, null);
  assert.equal(g.isFreed, true);
});

test("AdamW stateDict → loadStateDict resumes exactly", () => {
  const make = () => tensor([1, -2, 0.5, 3]).setRequiresGrad(true).keep();
  const p1 = make();
  const o1 = new AdamW([p1], { lr: 0.05 });
  setGrad(p1, GRADS[0]);
  o1.step();
  const sd = o1.stateDict();
  assert.deepEqual(JSON.parse(JSON.stringify(sd.param_groups)), [{ params: [0], lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01 }]);
  const p2 = tensor(Array.from(p1.toFloat32Array())).setRequiresGrad(true).keep();
  const o2 = new AdamW([p2], { lr: 1 });
  o2.loadStateDict(sd);
  assert.equal(o2.paramGroups[0].lr, 0.05);
  for (const [p, o] of [[p1, o1], [p2, o2]] as const) {
    setGrad(p, GRADS[1]);
    o.step();
  }
  assert.deepEqual(p2.toFloat32Array(), p1.toFloat32Array());
  assert.throws(() => new AdamW([tensor([1, 2]).setRequiresGrad(true)]).loadStateDict(sd), /\[AdamW\] state "exp_avg" of parameter 0 is \[4\] but the parameter is \[2\]/);
  const incomplete = { ...sd, state: { 0: { step: 1, exp_avg: sd.state[0].exp_avg } } };
  assert.throws(() => new AdamW([make()]).loadStateDict(incomplete), /\[AdamW\] state of parameter 0 lacks "exp_avg_sq"; the optimizer state file is incomplete/);
});

test("optimizer argument errors", () => {
  const p = tensor([1]).setRequiresGrad(true);
  assert.throws(() => new AdamW([]), /\[AdamW\] got an empty parameter list/);
  assert.throws(() => new AdamW([p], { lr: -1 }), /\[AdamW\] lr must be a non-negative number, got -1/);
  assert.throws(() => new AdamW([p], { betas: [0.9, 1] }), /\[AdamW\] betas must be two numbers in \[0, 1\)/);
  assert.throws(() => new AdamW([{ params: [p] }, { params: [p] }]), /appears in more than one group/);
  assert.throws(() => new SGD([p], { nesterov: true }), /\[SGD\] nesterov needs momentum > 0/);
});

test("SGD with momentum, dampening, weight decay and Nesterov matches torch's formula", () => {
  for (const o of [{ momentum: 0 }, { momentum: 0.9, weight_decay: 0.1 }, { momentum: 0.8, dampening: 0.3 }, { momentum: 0.9, nesterov: true }]) {
    const lr = 0.1, mu = o.momentum, wd = (o as { weight_decay?: number }).weight_decay ?? 0;
    const damp = (o as { dampening?: number }).dampening ?? 0, nesterov = (o as { nesterov?: boolean }).nesterov ?? false;
    const p = tensor([1, -2, 0.5, 3]).setRequiresGrad(true).keep();
    const opt = new SGD([p], { lr, ...o });
    const ref = [1, -2, 0.5, 3];
    const buf = [0, 0, 0, 0];
    GRADS.forEach((g, k) => {
      setGrad(p, g);
      opt.step();
      for (let i = 0; i < 4; i++) {
        let d = g[i] + wd * ref[i];
        if (mu !== 0) {
          buf[i] = k === 0 ? d : mu * buf[i] + (1 - damp) * d;
          d = nesterov ? d + mu * buf[i] : buf[i];
        }
        ref[i] -= lr * d;
      }
      assertClose(p.toFloat32Array(), ref, 1e-6, 1e-6, `${JSON.stringify(o)} step ${k + 1}`);
    });
  }
});

test("dispose frees every optimizer's state tensors (SGD's momentum buffers too)", () => {
  for (const make of [(p: Tensor) => new AdamW([p]), (p: Tensor) => new SGD([p], { lr: 0.1, momentum: 0.9 })]) {
    const p = tensor([1, 2]).setRequiresGrad(true).keep();
    const opt = make(p);
    setGrad(p, [0.5, -0.5]);
    opt.step();
    const state = Object.values(opt.stateDict().state["0"]).filter((v): v is Tensor => typeof v !== "number");
    assert.ok(state.length > 0);
    opt.dispose();
    assert.ok(state.every((t) => t.isFreed), `${opt.constructor.name} left state alive`);
  }
});
