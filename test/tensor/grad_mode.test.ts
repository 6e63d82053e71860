// Grad mode follows the async call chain (AsyncLocalStorage), as scopes do: noGrad(async …)
// records no graph after its awaits, and a concurrent task outside it keeps recording.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, mul, noGrad, enableGrad, isGradEnabled } from "../../src/tensor/index.js";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

test("noGrad(async …) holds across await; the caller's mode is back afterwards", async () => {
  const w = tensor([1, 2]).setRequiresGrad(true);
  const seen: boolean[] = [];
  const out = await noGrad(async () => {
    seen.push(mul(w, w).requiresGrad);
    await tick();
    seen.push(isGradEnabled(), mul(w, w).requiresGrad);
    await tick();
    return mul(w, w);
  });
  assert.deepEqual(seen, [false, false, false]);
  assert.equal(out.requiresGrad, false, "no graph after the second await");
  assert.equal(isGradEnabled(), true);
  assert.equal(mul(w, w).requiresGrad, true);
});

test("a task running beside noGrad(async …) keeps its graph; enableGrad nests inside noGrad", async () => {
  const w = tensor([3]).setRequiresGrad(true);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const inference = noGrad(async () => {
    await gate;
    return [mul(w, w).requiresGrad, enableGrad(() => mul(w, w).requiresGrad)];
  });
  const training = (async () => {
    await tick();
    const y = mul(w, w);
    release();
    return y.requiresGrad;
  })();
  assert.deepEqual(await inference, [false, true]);
  assert.equal(await training, true, "the other task was not switched off");
});
