// `npm run bench -- gemm-chain --quick` end to end: the chain runs in tunelab and, through
// tunelab's own ONNX writer, in onnxruntime-node; the outputs must agree and both engines
// report a time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths.js";

test("the gemm-chain bench times tunelab and onnxruntime on the same products", () => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "bench", "run.js"), "gemm-chain", "--quick", "--rounds", "1"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /outputs agree: max \|diff\| [\d.e+-]+ of [\d.]+/);
  for (const engine of ["tunelab", "onnxruntime"]) {
    const row = r.stdout.split("\n").find((l) => l.startsWith(`| ${engine} `));
    assert.ok(row, `no ${engine} row in\n${r.stdout}`);
    const [seconds, gflops] = row.split("|").map((c) => c.trim()).slice(2, 4);
    assert.ok(Number(seconds) > 0 && Number(gflops) > 0, `${engine}: s/pass "${seconds}", GFLOP/s "${gflops}"`);
  }
  assert.match(r.stdout, /tunelab is [\d.]+x onnxruntime on these products/);
});

test("the gemm-chain bench rejects a bad round count", () => {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "bench", "run.js"), "gemm-chain", "--rounds", "two"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--rounds needs a positive integer, got two/);
});
