// The process world from the launcher's environment, and the autograd hook that starts a
// bucket's reduction: it fires once per leaf, when that leaf's gradient is complete.
import { test } from "node:test";
import assert from "node:assert/strict";
import { launchedWorld, threadsPerRank, worldSize, rank, allReduce, broadcast, barrier, allGatherObjects } from "../../src/distributed/index.js";
import { Tensor, setLeafGradFinalHook } from "../../src/tensor/index.js";

test("launchedWorld reads mpirun, PMI, PMIx and srun variables, and nothing else", () => {
  assert.equal(launchedWorld({}), null);
  assert.deepEqual(launchedWorld({ OMPI_COMM_WORLD_SIZE: "4", OMPI_COMM_WORLD_RANK: "3" }), { size: 4, rank: 3, launcher: "Open MPI mpirun" });
  assert.deepEqual(launchedWorld({ PMI_SIZE: "2", PMI_RANK: "1" }), { size: 2, rank: 1, launcher: "PMI (MPICH / Slurm pmi2)" });
  assert.deepEqual(launchedWorld({ SLURM_STEP_NUM_TASKS: "8", PMIX_RANK: "5" }), { size: 8, rank: 5, launcher: "PMIx" });
  assert.deepEqual(launchedWorld({ SLURM_STEP_NUM_TASKS: "8", SLURM_PROCID: "7" }), { size: 8, rank: 7, launcher: "Slurm srun" });
  // An sbatch script that did not call srun: SLURM_NTASKS alone is not a world.
  assert.equal(launchedWorld({ SLURM_NTASKS: "4", SLURM_PROCID: "0" }), null);
  assert.throws(() => launchedWorld({ OMPI_COMM_WORLD_SIZE: "two", OMPI_COMM_WORLD_RANK: "0" }), /OMPI_COMM_WORLD_SIZE="two" is not a non-negative integer/);
  assert.throws(() => launchedWorld({ PMI_SIZE: "2", PMI_RANK: "2" }), /PMI_RANK=2 is outside a world of PMI_SIZE=2/);
});

test("each rank's default thread count is its share of the node", () => {
  assert.equal(threadsPerRank(16, 16, {}), null);
  assert.equal(threadsPerRank(16, 16, { OMPI_COMM_WORLD_LOCAL_SIZE: "4" }), 4);
  assert.equal(threadsPerRank(2, 2, { OMPI_COMM_WORLD_LOCAL_SIZE: "4" }), 1);
  assert.equal(threadsPerRank(16, 16, { MPI_LOCALNRANKS: "2" }), 8);
  assert.equal(threadsPerRank(64, 64, { SLURM_CPUS_PER_TASK: "8", OMPI_COMM_WORLD_LOCAL_SIZE: "4" }), 8);
  // mpirun bound the rank to 1 core of 16: the pool's default (its affinity) already fits.
  assert.equal(threadsPerRank(1, 16, { OMPI_COMM_WORLD_LOCAL_SIZE: "4" }), null);
});

test("a single process is a world of one: collectives are identities and MPI is not loaded", () => {
  assert.equal(worldSize(), 1);
  assert.equal(rank(), 0);
  const t = Tensor.fromTypedArray(new Float32Array([1, 2]), [2]);
  assert.deepEqual(Array.from(allReduce(t, "mean").f32()), [1, 2]);
  assert.deepEqual(Array.from(broadcast(t).f32()), [1, 2]);
  barrier();
  assert.deepEqual(allGatherObjects({ a: 1 }), [{ a: 1 }]);
});

test("the final-gradient hook fires once per leaf, after its last contribution", () => {
  const a = Tensor.fromTypedArray(new Float32Array([2]), [1]).setRequiresGrad();
  const b = Tensor.fromTypedArray(new Float32Array([3]), [1]).setRequiresGrad();
  const seen: [string, number][] = [];
  setLeafGradFinalHook((leaf) => seen.push([leaf === a ? "a" : leaf === b ? "b" : "?", leaf.grad!.item()]));
  try {
    // y = a*b + a*a: dy/da = b + 2a = 7 (two uses of a), dy/db = a = 2.
    a.mul(b).add(a.mul(a)).sum().backward();
  } finally {
    setLeafGradFinalHook(null);
  }
  assert.deepEqual(seen.sort(), [["a", 7], ["b", 2]]);
});
