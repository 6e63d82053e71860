/**
 * Collectives for user code and the trainer, torch.distributed-style: worldSize(), rank(),
 * allReduce(tensor) and broadcast(tensor) in place, barrier(), and object broadcast/gather
 * (JSON) for what is not a tensor. In a single process they are identities and MPI is never
 * loaded.
 */
import type { Tensor } from "../tensor/index.js";
/** Number of processes in the job (1 when not launched under MPI). */
export declare function worldSize(): number;
/** This process's rank, 0 ... worldSize() - 1 (0 when not launched under MPI). */
export declare function rank(): number;
/** Rank 0: the process that writes logs, checkpoints and reports. */
export declare function isMainProcess(): boolean;
/** Sums (or averages, op "mean") the tensor over all ranks, in place; returns it. */
export declare function allReduce(t: Tensor, op?: "sum" | "mean"): Tensor;
/** Sums numbers over all ranks in float64 (exact counts, loss sums). */
export declare function allReduceNumbers(values: number[], what?: string): number[];
/** Copies root's tensor into every rank's, in place; returns it. */
export declare function broadcast(t: Tensor, root?: number): Tensor;
/** Waits until every rank reaches it. */
export declare function barrier(): void;
/** root's JSON-able value, on every rank. */
export declare function broadcastObject<T>(value: T, root?: number): T;
/** Every rank's JSON-able value, in rank order, on every rank. */
export declare function allGatherObjects<T>(value: T): T[];
