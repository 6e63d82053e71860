import { Tensor } from "../tensor/index.js";
export interface DataParallelOptions {
    /** Bucket size in MiB (HF's ddp_bucket_cap_mb; PyTorch's default is 25). */
    bucketCapMb?: number;
    /** Start reductions during backward (false: all after backward, e.g. under gradient checkpointing). */
    overlap?: boolean;
}
export declare class DataParallel {
    readonly rank: number;
    readonly size: number;
    private buckets;
    private bucketOf;
    private nextToLaunch;
    private overlap;
    /** Bytes this rank sends per optimizer step (the trainable gradients, float32). */
    bytesPerStep: number;
    /** Bucket reductions started so far: during backward (overlapped) and after it. */
    readonly started: {
        duringBackward: number;
        afterBackward: number;
    };
    private constructor();
    /**
     * The data-parallel group when launched under MPI with more than one rank, else null. Without
     * TUNELAB_NUM_THREADS, each rank takes its share of the node's cores.
     */
    static fromEnvironment(): DataParallel | null;
    /**
     * Groups the trainable parameters into buckets (in reverse registration order, roughly the
     * order backward finishes them) and copies rank 0's values to every rank, so all start equal.
     */
    setup(params: Tensor[], o?: DataParallelOptions): void;
    /** Number of buckets (for reports). */
    get numBuckets(): number;
    /** This rank's contiguous part of a global micro-batch (parts as even as possible). */
    shard<T>(rows: T[]): T[];
    /**
     * Before a micro-batch's backward: on the step's last one, gradients become final as
     * backward goes, so the hook starts their buckets' reductions.
     */
    beforeBackward(lastMicroBatch: boolean): void;
    /**
     * After the step's backward passes: starts the buckets not started yet, sums the weighted
     * loss, waits for everything and writes the summed gradients back; returns the loss of the
     * global batch.
     */
    finishStep(weightedLoss: number): number;
    /** Starts buckets in order while the next one is complete (or all of them, `all`); returns how many. */
    private launchReady;
    /** Sums numbers over ranks (float64: example counts and loss sums stay exact). */
    sum(values: number[], what: string): number[];
}
