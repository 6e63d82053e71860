import type { RowSource } from "./bad_rows.js";
export type Row = Record<string, unknown>;
export type Batch = Record<string, unknown[]>;
export interface MapOptions {
    batched?: boolean;
    batch_size?: number;
    /** Columns to drop from the output (HF's remove_columns). */
    remove_columns?: string[];
}
export interface TrainTestSplitOptions {
    /** A fraction in (0, 1) or an absolute count. */
    test_size?: number;
    train_size?: number;
    seed?: number;
    shuffle?: boolean;
    /** Keep each value of this column in the same proportion on both sides. */
    stratify_by_column?: string;
}
export declare class Dataset {
    readonly rows: readonly Row[];
    readonly sources: readonly (RowSource | undefined)[];
    constructor(rows: Row[], sources?: (RowSource | undefined)[]);
    static fromList(rows: Row[]): Dataset;
    /** From columns of equal length: { text: [...], label: [...] }. */
    static fromDict(columns: Batch): Dataset;
    get numRows(): number;
    get length(): number;
    /** Column names, in first-seen order across the first rows. */
    get columnNames(): string[];
    get(i: number): Row;
    sourceOf(i: number): RowSource | undefined;
    column(name: string): unknown[];
    [Symbol.iterator](): Iterator<Row>;
    toList(): Row[];
    /**
     * Applies fn to each row (its result is merged into the row) or, with batched, to column
     * batches (the result's columns replace the batch's; it may return more or fewer rows, e.g.
     * packing or chunking, and then row sources are dropped).
     */
    map(fn: (row: Row, index: number) => Row, opts?: MapOptions & {
        batched?: false;
    }): Dataset;
    map(fn: (batch: Batch, indices: number[]) => Batch, opts: MapOptions & {
        batched: true;
    }): Dataset;
    filter(fn: (row: Row, index: number) => boolean): Dataset;
    select(indices: Iterable<number>): Dataset;
    /** A seeded permutation: the same seed always gives the same order. */
    shuffle(opts?: {
        seed?: number;
    } | number): Dataset;
    /** The first n rows (or all when there are fewer). */
    take(n: number): Dataset;
    trainTestSplit(opts?: TrainTestSplitOptions): {
        train: Dataset;
        test: Dataset;
    };
    renameColumn(from: string, to: string): Dataset;
    renameColumns(mapping: Record<string, string>): Dataset;
    removeColumns(names: string | string[]): Dataset;
    selectColumns(names: string[]): Dataset;
    /** Concatenates datasets with the same columns (HF's concatenate_datasets). */
    static concatenate(parts: Dataset[]): Dataset;
    private requireColumns;
}
/** Named splits, as HF's DatasetDict. */
export type DatasetDict = Record<string, Dataset>;
