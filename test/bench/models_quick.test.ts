// `npm run bench -- models --quick` end to end: tiny shapes of every row kind (inference,
// full step, LoRA step, generation) through the real worker processes. tunelab's side must
// run and report a time for every row; PyTorch / onnxruntime join when python3-torch is
// installed (CI has none), and their first losses, logits and tokens must then agree.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../helpers/paths.js";

test("the models bench runs every quick row and reports tunelab's time, GFLOP/s and peak RSS", () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-bench-quick-"));
  try {
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, "dist", "bench", "run.js"), "models", "--quick"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 240_000,
      env: { ...process.env, TUNELAB_BENCH_CACHE: cache, TUNELAB_BENCH_NO_INSTALL: "1" },
    });
    assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
    const rows = r.stdout.split("\n").filter((l) => /^\| (bert|gpt2|llama)/.test(l));
    assert.equal(rows.length, 6, r.stdout);
    for (const row of rows) {
      const cells = row.split("|").map((c) => c.trim());
      const [name, seconds, tokens, gflops, , , , , , rss] = cells.slice(1);
      assert.ok(Number(seconds.split(" ")[0]) > 0, `${name}: tunelab s/step "${seconds}"`);
      assert.ok(Number(tokens) > 0 && Number(gflops) >= 0, `${name}: tokens/s "${tokens}", GFLOP/s "${gflops}"`);
      assert.ok(Number(rss.split(" / ")[0]) > 10, `${name}: tunelab peak RSS "${rss}" MiB`);
    }
    assert.match(r.stdout, /before: other processes used (\d+% of the CPUs|not measurable here) over 2 s \(load average [\d.]+/);
    assert.match(r.stdout, /During the bench other processes used (\d+% of the CPUs|not measurable here)/);
    assert.match(r.stdout, /The bench took \d+ s/);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
});
