/** Data-parallel training over MPI: the process world, collectives, and the trainer's gradient reduction. */
export { launchedWorld, threadsPerRank } from "./world.js";
export { mpiWorld, setCollectiveTimeout, collectiveTimeout, DistributedError, MPI_INSTALL_HINT } from "./mpi.js";
export { worldSize, rank, isMainProcess, allReduce, allReduceNumbers, broadcast, barrier, broadcastObject, allGatherObjects } from "./collectives.js";
export { DataParallel } from "./data_parallel.js";
//# sourceMappingURL=index.js.map