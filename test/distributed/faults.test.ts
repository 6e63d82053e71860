// A rank that hangs or dies ends the whole job with a message from every rank, well before
// any default timeout; and MPI requested but missing is a clear error naming the package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { mpirun, mpirunArgs, skipWithoutMpirun } from "./mpirun.js";
import { mpiWorld } from "../../src/distributed/index.js";

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "fault_child.js");
const skip = skipWithoutMpirun;

function launch(fault: string): { status: number | null; output: string; seconds: number } {
  const start = Date.now();
  const r = spawnSync(mpirun(), [...mpirunArgs(2, ["TL_FAULT", "TL_TIMEOUT"]), process.execPath, CHILD], {
    env: { ...process.env, TL_FAULT: fault, TL_TIMEOUT: "3", TUNELAB_NUM_THREADS: "1" }, encoding: "utf8", timeout: 60_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`, seconds: (Date.now() - start) / 1000 };
}

test("a hanging rank: the others time out with a clear message, and the job ends", { skip }, () => {
  const r = launch("hang");
  assert.notEqual(r.status, 0, r.output);
  assert.match(r.output, /rank 0 of 2: allReduce of a \[3\] tensor did not complete within 3 s/);
  assert.match(r.output, /rank 1 of 2: stopped by the launcher/);
  assert.doesNotMatch(r.output, /rank 0 done/);
  assert.ok(r.seconds < 40, `took ${r.seconds} s`);
});

test("a rank that dies: the launcher stops the others, each saying why", { skip }, () => {
  const r = launch("die");
  assert.notEqual(r.status, 0, r.output);
  assert.match(r.output, /rank 0 of 2: (stopped by the launcher|allReduce of a \[3\] tensor did not complete)/);
  assert.doesNotMatch(r.output, /rank 0 done/);
  assert.ok(r.seconds < 40, `took ${r.seconds} s`);
});

test("launched under MPI with no MPI library: an error naming the package to install", () => {
  const saved = { ...process.env };
  Object.assign(process.env, { OMPI_COMM_WORLD_SIZE: "2", OMPI_COMM_WORLD_RANK: "0", TUNELAB_MPI_LIBRARY: "/nonexistent/libmpi.so.40" });
  try {
    assert.throws(() => mpiWorld(), /rank 0 of 2 \(Open MPI mpirun\) but no MPI library could be loaded:[\s\S]*nonexistent[\s\S]*openmpi-bin libopenmpi-dev/);
  } finally {
    for (const k of ["OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "TUNELAB_MPI_LIBRARY"]) if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
