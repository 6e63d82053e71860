import type { Batch, Row } from "./dataset.js";
import { type BadRowPolicy, type RowSource } from "./bad_rows.js";
import { type DataFormat } from "./readers.js";
export declare function streamRows(file: string, opts?: {
    format?: DataFormat;
    on_bad_rows?: BadRowPolicy;
}): AsyncGenerator<Row>;
export declare function streamedRowSource(row: Row): RowSource | undefined;
/** A stage's row source: one pass over the data; `epoch` reseeds shuffling (HF's set_epoch). */
export type RowStream = (epoch: number) => AsyncIterable<Row>;
export interface IterableMapOptions {
    /** Hand fn column batches of batch_size rows; it may return more or fewer rows (packing, chunking). */
    batched?: boolean;
    batch_size?: number;
    remove_columns?: string[];
}
/**
 * A lazy, re-iterable pipeline over a row source (HF's IterableDataset): each pass re-reads
 * the file, and every stage works row by row, so memory does not depend on the file size.
 * `iterate(epoch)` starts a pass; shuffle buffers are seeded with seed + epoch, as HF's
 * `set_epoch` does, so each epoch sees another order and any epoch can be replayed.
 */
export declare class IterableDataset {
    private readonly source;
    constructor(source: RowStream);
    /** Reads one or more files (concatenated, in order) line by line. */
    static fromFile(files: string | string[], opts?: {
        format?: DataFormat;
        on_bad_rows?: BadRowPolicy;
    }): IterableDataset;
    static fromList(rows: Row[]): IterableDataset;
    /** One pass over the data; epoch seeds the shuffle stages. */
    iterate(epoch?: number): AsyncIterable<Row>;
    [Symbol.asyncIterator](): AsyncIterator<Row>;
    /** Row by row (the result is merged into the row), or with batched on column batches. */
    map(fn: (row: Row) => Row, opts?: IterableMapOptions & {
        batched?: false;
    }): IterableDataset;
    map(fn: (batch: Batch) => Batch, opts: IterableMapOptions & {
        batched: true;
    }): IterableDataset;
    /**
     * Applies fn to consecutive chunks of `size` rows (the last may be shorter); fn may return
     * more or fewer rows. The lazy counterpart of encoding a whole split: features are built
     * as training reaches them.
     */
    mapChunks(fn: (rows: Row[]) => Row[], size?: number): IterableDataset;
    filter(fn: (row: Row) => boolean): IterableDataset;
    take(n: number): IterableDataset;
    skip(n: number): IterableDataset;
    /**
     * Approximate shuffling with a fixed-size buffer, as HF's IterableDataset.shuffle: the
     * buffer fills with the first buffer_size rows, then each new row replaces a random one,
     * which is yielded. Pass `epoch` seeds it with seed + epoch.
     */
    shuffle(opts?: {
        seed?: number;
        buffer_size?: number;
    }): IterableDataset;
    toList(epoch?: number): Promise<Row[]>;
}
