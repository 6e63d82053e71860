import type { Dataset, Row } from "../data/dataset.js";
import type { IterableDataset } from "../data/stream.js";
export interface BatchOrderOptions {
    numExamples: number;
    batchSize: number;
    seed: number;
    epoch: number;
    shuffle?: boolean;
    dropLast?: boolean;
    /** Example lengths (input_ids) when grouping by length. */
    lengths?: number[] | null;
}
/** Mixes seed and epoch into one 32-bit seed (splitmix32). */
export declare function epochSeed(seed: number, epoch: number): number;
export declare function batchOrder(o: BatchOrderOptions): number[][];
/** Micro-batches per epoch (what the trainer iterates), honouring drop_last. */
export declare function numBatches(numExamples: number, batchSize: number, dropLast: boolean): number;
export interface StreamBatchOptions {
    batchSize: number;
    dropLast: boolean;
    /** The pass (epoch) to read: it seeds the stream's shuffle stages. */
    epoch: number;
    /** Examples of this pass consumed before a checkpoint, read and dropped on resume. */
    skipExamples?: number;
}
/**
 * Micro-batches of a streamed dataset, formed as rows arrive: one pass over the data, after
 * skipping what a checkpoint had consumed. The last short batch is kept unless dropLast.
 * Only one batch is held at a time.
 */
export declare function streamBatches(ds: IterableDataset, o: StreamBatchOptions): AsyncGenerator<Row[]>;
/** Where in the data a checkpoint was taken: the epoch (pass), its micro-batches and examples consumed. */
export interface DataPosition {
    epoch: number;
    batchesInEpoch: number;
    examplesInEpoch?: number;
}
/** The micro-batches of one optimizer step; `first` is the index of the first in its epoch. */
export interface StepGroup {
    first: number;
    group: Row[][];
    /** Optimizer steps in the whole epoch, or null for a stream (unknown until it ends). */
    stepsInPass: number | null;
}
/** An in-memory epoch: the seeded batch order from micro-batch startBatch on, ga micro-batches per step. */
export declare function indexedStepGroups(train: Dataset, o: {
    epoch: number;
    startBatch: number;
    seed: number;
    batchSize: number;
    ga: number;
    dropLast: boolean;
    groupByLength: boolean;
}): Generator<StepGroup>;
/** A streamed epoch: micro-batches as rows arrive, ga per step (the last step of a pass may have fewer). */
export declare function streamedStepGroups(train: IterableDataset, from: DataPosition, bs: number, ga: number, dropLast: boolean): AsyncGenerator<StepGroup>;
