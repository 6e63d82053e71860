#!/usr/bin/env node
// Runs every test: the C++ kernel tests, then the compiled TypeScript tests under
// dist/test with node's test runner. Extra arguments filter test files by substring.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

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

/**
 * The kernel tests run each SIMD level this CPU has (portable, AVX2, AVX-512); a level the CPU
 * lacks goes untested, and the run says so rather than passing quietly.
 */
function simdCoverage() {
  const names = ["portable", "AVX2+FMA", "AVX-512F"];
  try {
    const addon = createRequire(import.meta.url)(resolve("build/Release/tunelab_native.node"));
    const f = addon.cpuFeatures();
    const top = f.avx2 && f.fma ? (f.avx512f ? 3 : 2) : 1;
    const missing = names.slice(top);
    return `SIMD levels covered by the kernel tests: ${names.slice(0, top).join(", ")}` +
      (missing.length ? `; NOT covered (this CPU lacks them): ${missing.join(", ")}` : " (all)");
  } catch (e) {
    return `SIMD levels covered: unknown (the addon did not load: ${e.message})`;
  }
}

let status = 0;
let simdLine = "";
if (filters.length === 0 || filters.includes("native")) {
  const r = spawnSync("bash", ["scripts/native-tests.sh"], { stdio: "inherit" });
  if (r.status !== 0) status = 1;
  simdLine = simdCoverage();
  console.log(simdLine);
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
if (simdLine) console.log(simdLine); // again at the end, where a reader of the log looks
process.exit(status);
