/**
 * Which process world this process was launched into, read from the launcher's environment
 * before MPI is touched: a plain `node` or `tunelab` run is a world of one and never loads MPI.
 * MPI itself (MPI_Comm_size/rank after init) has the last word; this only says whether to ask.
 */

export interface LaunchedWorld {
  size: number;
  rank: number;
  /** The variables it was read from, for messages. */
  launcher: "Open MPI mpirun" | "PMI (MPICH / Slurm pmi2)" | "PMIx" | "Slurm srun";
}

/**
 * Compute threads a rank should use when TUNELAB_NUM_THREADS is not set, or null to keep the
 * pool's default (the CPUs this process may run on): the CPUs Slurm gave the task; the CPUs the
 * launcher bound the rank to (fewer visible than the machine has: the default already fits);
 * else the machine's cores shared out among the ranks on it (Open MPI's and MPICH's local-size
 * variables), so ranks on one machine do not fight over the same cores.
 */
export function threadsPerRank(visibleCpus: number, machineCpus: number, env: NodeJS.ProcessEnv = process.env): number | null {
  const cpusPerTask = Number(env.SLURM_CPUS_PER_TASK);
  if (Number.isInteger(cpusPerTask) && cpusPerTask > 0) return cpusPerTask;
  if (visibleCpus < machineCpus) return null;
  const local = Number(env.OMPI_COMM_WORLD_LOCAL_SIZE ?? env.MPI_LOCALNRANKS);
  if (Number.isInteger(local) && local > 1) return Math.max(1, Math.floor(machineCpus / local));
  return null;
}

/**
 * Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE/RANK; MPICH's hydra and Slurm's pmi2 set
 * PMI_SIZE/RANK; PMIx launchers set PMIX_RANK (size from Slurm's step when under srun);
 * srun sets SLURM_STEP_NUM_TASKS/SLURM_PROCID for a job step (SLURM_NTASKS alone is also set
 * inside an sbatch script that did not call srun, so it is not read).
 */
export function launchedWorld(env: NodeJS.ProcessEnv = process.env): LaunchedWorld | null {
  const int = (name: string): number | null => {
    const v = env[name];
    if (v === undefined || v === "") return null;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`[distributed] environment variable ${name}="${v}" is not a non-negative integer; the launcher set it wrongly or it was overridden`);
    return n;
  };
  const pick = (sizeVar: string, rankVar: string, launcher: LaunchedWorld["launcher"]): LaunchedWorld | null => {
    const size = int(sizeVar);
    const rank = int(rankVar);
    if (size === null || rank === null) return null;
    if (size < 1 || rank >= size) throw new Error(`[distributed] ${rankVar}=${rank} is outside a world of ${sizeVar}=${size}`);
    return { size, rank, launcher };
  };
  return (
    pick("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "Open MPI mpirun") ??
    pick("PMI_SIZE", "PMI_RANK", "PMI (MPICH / Slurm pmi2)") ??
    pick("SLURM_STEP_NUM_TASKS", "PMIX_RANK", "PMIx") ??
    pick("SLURM_STEP_NUM_TASKS", "SLURM_PROCID", "Slurm srun")
  );
}
