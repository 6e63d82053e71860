import { test } from "node:test";
import assert from "node:assert/strict";
import { DivergenceWatch } from "../../src/train/guards.js";

const args = { learning_rate: 3e-3, max_grad_norm: 1 };

test("divergence: a loss that climbs 100-fold past where it started warns once, naming a cause", () => {
  const watch = new DivergenceWatch(args);
  assert.equal(watch.observe(1, 0.69), null);
  assert.equal(watch.observe(2, 0.5), null);
  const warning = watch.observe(3, 3e6);
  assert.match(warning ?? "", /grew from 0\.500 \(step 2\) to 3\.00e\+6 \(step 3\).*learning_rate 0\.003/);
  assert.equal(watch.observe(4, 4e6), null, "once per run");
});

test("divergence: a converged loss that spikes but stays below the starting loss is not divergence", () => {
  const watch = new DivergenceWatch(args);
  watch.observe(1, 0.69);
  watch.observe(169, 0.00124);
  assert.equal(watch.observe(179, 0.148), null, "0.00124 -> 0.148 is 100x, yet below the start 0.69");
  assert.equal(watch.observe(180, NaN), null);
  assert.match(watch.observe(181, 0.9) ?? "", /training is diverging/, "above the start and 100x the lowest");
});
