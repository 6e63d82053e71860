import type { Row } from "./dataset.js";
export interface ParquetReadOptions {
    /** Time budget for decoding (default 60 s + 10 s per MB of file). */
    timeoutMs?: number;
    /** Heap limit of the decoding worker in MB (default half of the machine's memory). */
    maxHeapMb?: number;
}
export declare function defaultParquetTimeoutMs(bytes: number): number;
/** Every row of a Parquet file as an object; bad or undecodable files are errors naming the file. */
export declare function readParquetRows(file: string, opts?: ParquetReadOptions): Promise<Row[]>;
