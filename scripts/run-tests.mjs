#!/usr/bin/env node
// Runs every test: the C++ kernel tests, then the compiled TypeScript tests under
// dist/test with node's test runner. Extra arguments filter test files by substring.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const filters = process.argv.slice(2);

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith(".test.js")) out.push(p);
  }
  return out;
}

let status = 0;
if (filters.length === 0 || filters.includes("native")) {
  const r = spawnSync("bash", ["scripts/native-tests.sh"], { stdio: "inherit" });
  if (r.status !== 0) status = 1;
}
const files = findTests("dist/test")
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length) {
  const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], {
    stdio: "inherit",
    env: { ...process.env, TUNELAB_TEST: "1" },
  });
  if (r.status !== 0) status = 1;
}
process.exit(status);
