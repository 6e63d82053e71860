/** Data-parallel training over MPI: the process world, collectives, and the trainer's gradient reduction. */
export { launchedWorld, threadsPerRank, type LaunchedWorld } from "./world.js";
export { mpiWorld, setCollectiveTimeout, DistributedError, MPI_INSTALL_HINT, type MpiWorld } from "./mpi.js";
export { worldSize, rank, isMainProcess, allReduce, allReduceNumbers, broadcast, barrier, broadcastObject, allGatherObjects } from "./collectives.js";
export { DataParallel, type DataParallelOptions } from "./data_parallel.js";
