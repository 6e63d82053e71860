// "A test suite that can fail": the comparison helpers fail on NaN wherever it is, and a CI run
// with its shared fixtures missing fails instead of skipping.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
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

test("native-tests.sh fails on a kernel that does not compile, even when an old object of it exists", () => {
  // A miniature tree: the real script and harness, one kernel, one test (compiles in seconds).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-faults-native-"));
  for (const sub of ["scripts", "native", "test/native"]) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, "scripts", "native-tests.sh"), path.join(dir, "scripts", "native-tests.sh"));
  for (const f of ["check.h", "check_main.cpp"]) fs.copyFileSync(path.join(REPO_ROOT, "test", "native", f), path.join(dir, "test", "native", f));
  fs.writeFileSync(path.join(dir, "binding.gyp"), JSON.stringify({ targets: [{ target_name: "t", sources: ["native/binding.cpp", "native/twice.cpp"], cflags_cc: ["-O1", "-std=c++17"] }] }));
  fs.writeFileSync(path.join(dir, "native", "twice.h"), "int twice(int x);\n");
  const kernel = path.join(dir, "native", "twice.cpp");
  fs.writeFileSync(kernel, '#include "twice.h"\nint twice(int x) { return 2 * x; }\n');
  fs.writeFileSync(path.join(dir, "test", "native", "twice_test.cpp"), '#include "check.h"\n#include "twice.h"\nTEST(twice_doubles) { CHECK(twice(3) == 6); }\n');
  const run = () => spawnSync("bash", [path.join(dir, "scripts", "native-tests.sh")], { encoding: "utf8" });
  const good = run();
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /ok twice_doubles/);
  fs.writeFileSync(kernel, '#include "twice.h"\nint twice(int x) { return 2 * x; \n'); // syntax error
  const future = new Date(Date.now() + 5000);
  fs.utimesSync(kernel, future, future);
  const bad = run();
  assert.notEqual(bad.status, 0, "a compile error fails the run");
  assert.match(bad.stderr, /failed to compile/);
  assert.doesNotMatch(bad.stdout, /ok twice_doubles/, "the stale object was not linked and run");
  fs.rmSync(dir, { recursive: true });
});
