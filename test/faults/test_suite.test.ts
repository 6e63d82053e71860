// "A test suite that can fail": the comparison helpers fail on NaN wherever it is, and a CI run
// with its shared fixtures missing fails instead of skipping.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { test } from "node:test";
import { assertClose, closeness, maxAbsDiff } from "../helpers/close.js";
import { REPO_ROOT } from "../helpers/paths.js";

test("assertClose, maxAbsDiff and closeness fail on a NaN at any position, in either array", () => {
  for (let at = 0; at < 3; at++) {
    const withNaN = [0, 0, 0];
    withNaN[at] = NaN;
    const zeros = [0, 0, 0];
    assert.throws(() => assertClose(withNaN, zeros), /element/);
    assert.throws(() => assertClose(zeros, withNaN), /element/);
    assert.ok(!(maxAbsDiff(withNaN, zeros) <= 1), `maxAbsDiff keeps the NaN at ${at}`);
    assert.ok(!(closeness(zeros, withNaN, 1, 1) <= 0), `closeness keeps the NaN at ${at}`);
  }
  // A masked-out NaN is not compared.
  assert.equal(maxAbsDiff([NaN, 1], [0, 1], Float32Array.of(0, 1)), 0);
});

test("assertClose passes close values and equal infinities, names the worst element otherwise", () => {
  assertClose([1, Infinity, -Infinity], [1 + 1e-7, Infinity, -Infinity]);
  assert.throws(() => assertClose([1, 2, 3.5], [1, 2, 3]), /element 2 is 3.5 but expected 3/);
  assert.throws(() => assertClose([Infinity], [1]), /element 0/);
  assert.equal(maxAbsDiff([1, 5, 2], [1, 2, 2]), 3);
});

function runFixtureTests(env: Record<string, string>) {
  const file = path.join(REPO_ROOT, "dist", "test", "data", "real_data.test.js");
  const cleanEnv = { ...process.env };
  delete cleanEnv.CI;
  delete cleanEnv.NODE_TEST_CONTEXT; // else the child reports to this runner instead of stdout
  return spawnSync(process.execPath, ["--test", "--test-reporter=tap", file], {
    env: { ...cleanEnv, TUNELAB_SHARED: path.join(REPO_ROOT, "no-such-shared-folder"), ...env },
    encoding: "utf8",
  });
}

test("a missing shared fixture skips locally but fails under CI=true, naming the path", () => {
  const local = runFixtureTests({});
  assert.equal(local.status, 0, local.stdout + local.stderr);
  assert.match(local.stdout, /# SKIP missing/);
  const ci = runFixtureTests({ CI: "true" });
  assert.notEqual(ci.status, 0, "CI=true with missing fixtures must fail");
  assert.match(ci.stdout, /not ok \d+ - shared data present: .*no-such-shared-folder/);
});
