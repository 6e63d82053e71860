// The kernel pool defaults to the CPUs the process may use (affinity mask, cgroup quota), not
// the machine's core count; a job on a pool larger than its work still computes right.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as os from "node:os";
import * as fs from "node:fs";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { availableCpus, getNumThreads, setNumThreads } from "../../src/tensor/threads.js";
import { matmul, randn, manualSeed } from "../../src/tensor/index.js";

const threadsModule = fileURLToPath(new URL("../../src/tensor/threads.js", import.meta.url));

function childCpus(prefix: string[], env: Record<string, string | undefined>): string {
  const code = `import(${JSON.stringify(threadsModule)}).then((t) => console.log(t.availableCpus(), t.getNumThreads()))`;
  const [cmd, ...args] = [...prefix, process.execPath, "--input-type=module", "-e", code];
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("availableCpus counts the affinity mask; the pool defaults to it unless TUNELAB_NUM_THREADS says otherwise", () => {
  const n = availableCpus();
  assert.ok(n >= 1 && n <= os.cpus().length, `availableCpus ${n}, machine ${os.cpus().length}`);
  assert.equal(childCpus([], { TUNELAB_NUM_THREADS: undefined }), `${n} ${n}`);
  assert.equal(childCpus([], { TUNELAB_NUM_THREADS: "3" }), `${n} 3`);
  const taskset = ["/usr/bin/taskset", "/bin/taskset"].find((p) => fs.existsSync(p));
  if (taskset) assert.equal(childCpus([taskset, "-c", "0"], { TUNELAB_NUM_THREADS: undefined }), "1 1", "pinned to one CPU, the pool has one thread");
});

test("a pool with more workers than a job has parts, and back, computes the same product", () => {
  manualSeed(3);
  const a = randn([64, 48]);
  const b = randn([48, 40]);
  const before = getNumThreads();
  try {
    setNumThreads(1);
    const one = [...matmul(a, b).data];
    setNumThreads(8);
    const many = [...matmul(a, b).data];
    const tiny = [...matmul(randn([1, 2]), randn([2, 1])).data];
    assert.equal(tiny.length, 1);
    one.forEach((v, i) => assert.ok(Math.abs(v - many[i]) <= 1e-4 * Math.max(1, Math.abs(v))));
  } finally {
    setNumThreads(before);
  }
});
