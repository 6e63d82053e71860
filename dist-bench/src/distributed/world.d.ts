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
 * Compute threads a rank should use when TUNELAB_NUM_THREADS is not set: the CPUs Slurm gave
 * the task, or the cores shared out among the ranks on this node (Open MPI's and MPICH's
 * local-size variables), so ranks on one machine do not fight over the same cores.
 */
export declare function threadsPerRank(cores: number, env?: NodeJS.ProcessEnv): number | null;
/**
 * Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE/RANK; MPICH's hydra and Slurm's pmi2 set
 * PMI_SIZE/RANK; PMIx launchers set PMIX_RANK (size from Slurm's step when under srun);
 * srun sets SLURM_STEP_NUM_TASKS/SLURM_PROCID for a job step (SLURM_NTASKS alone is also set
 * inside an sbatch script that did not call srun, so it is not read).
 */
export declare function launchedWorld(env?: NodeJS.ProcessEnv): LaunchedWorld | null;
