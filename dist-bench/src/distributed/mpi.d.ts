import { type LaunchedWorld } from "./world.js";
export declare const MPI_INSTALL_HINT: string;
/** Thrown when a collective fails or times out; the world cannot be used afterwards. */
export declare class DistributedError extends Error {
    constructor(message: string);
}
export interface MpiWorld {
    size: number;
    rank: number;
    library: string;
    version: string;
    launcher: LaunchedWorld["launcher"];
}
/** How long one collective may wait for the other ranks (HF's ddp_timeout; default 1800 s). */
export declare function setCollectiveTimeout(seconds: number): void;
export declare function collectiveTimeout(): number;
/**
 * The world when launched under MPI (initialising MPI on the first call), or null for a
 * single process, which never loads the MPI library.
 */
export declare function mpiWorld(): MpiWorld | null;
/** A collective in flight; wait() blocks the JS thread until it completes or times out. */
export declare class PendingCollective {
    private readonly id;
    readonly what: string;
    private done;
    constructor(id: number, what: string);
    wait(): void;
}
/** recv = sum over ranks of send (same length, not overlapping), started now. */
export declare function startAllReduceSum(send: Float32Array | Float64Array, recv: Float32Array | Float64Array, what: string): PendingCollective;
/** buf on every rank becomes buf on root, started now. */
export declare function startBroadcastBytes(buf: Uint8Array, root: number, what: string): PendingCollective;
export declare function startBarrier(what: string): PendingCollective;
