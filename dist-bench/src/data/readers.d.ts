import { Dataset, type DatasetDict, type Row } from "./dataset.js";
import { BadRowLog, type BadRowPolicy } from "./bad_rows.js";
export type DataFormat = "jsonl" | "json" | "csv" | "tsv" | "parquet" | "conll" | "text";
export declare const DATA_FORMATS: DataFormat[];
export interface ReadOptions {
    format?: DataFormat;
    /** JSON: the key holding the list of rows ({"data": [...]}), as HF's `field`. */
    field?: string;
    on_bad_rows?: BadRowPolicy;
    /** Where warnings about skipped rows go (default console.warn). */
    warn?: (message: string) => void;
}
export declare function formatOf(file: string, given?: DataFormat): DataFormat;
/** Reads one file into a Dataset. Parquet is async; use readDataFile for every format. */
export declare function readDataFile(file: string, opts?: ReadOptions): Promise<Dataset>;
export declare function readDataFileSync(file: string, opts?: ReadOptions): Dataset;
export declare function parseJsonl(text: string, file: string, log: BadRowLog): Dataset;
/**
 * csv-parse's options for CSV (RFC 4180 quoting) or TSV (no quoting, as GLUE's files are
 * written): the one definition the in-memory reader and the streaming reader (stream.ts) share.
 */
export declare function delimitedParseOptions(format: "csv" | "tsv"): {
    readonly delimiter: "\t" | ",";
    readonly quote: false | "\"";
    readonly relax_column_count: true;
    readonly skip_empty_lines: true;
    readonly relax_quotes: boolean;
    readonly bom: true;
    readonly info: true;
};
export interface DelimitedRecord {
    record: string[];
    info: {
        lines: number;
    };
}
/**
 * Turns parsed records into rows: the first record is the header; each later one becomes a
 * row, or a bad row (wrong field count) in the log. Shared by the in-memory and streaming readers.
 */
export declare class DelimitedRows {
    private readonly file;
    private readonly log;
    private header;
    constructor(file: string, log: BadRowLog);
    /** The row for `r`, or null for the header and for bad rows (logged). */
    next({ record, info }: DelimitedRecord): Row | null;
}
/** csv-parse's error with the file named and what to do (an unterminated quote names the line it opened on). */
export declare function delimitedError(err: unknown, file: string): Error;
/** The split a file name suggests ("wnut17train.conll" → train, "emerging.dev.conll" → validation). */
export declare function splitOfFile(name: string): string | null;
/** Files in a folder by split, for every known data format. */
export declare function findSplitFiles(dir: string, format?: DataFormat): Record<string, string[]>;
export interface LoadDatasetOptions extends ReadOptions {
    /** Explicit files per split (HF's data_files); wins over folder discovery. */
    data_files?: Record<string, string | string[]>;
}
/**
 * Loads a DatasetDict from a file (one "train" split), a folder with split files, or
 * explicit data_files, as `datasets.load_dataset(format, data_files=...)` would.
 */
export declare function loadDataset(pathOrDir: string | null, opts?: LoadDatasetOptions): Promise<DatasetDict>;
