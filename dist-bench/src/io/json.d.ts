export interface ReadJsonOptions {
    /** Refuse files larger than this (default 64 MiB): a guard against reading a weights file as JSON. */
    maxBytes?: number;
    /** Where the error message says it came from (default "json"). */
    where?: string;
}
/** Reads and parses a JSON file. Throws `[json] <file>: ...` errors with the line and column of a syntax error. */
export declare function readJsonFile<T = unknown>(file: string, options?: ReadJsonOptions): T;
/** Parses JSON text; on a syntax error the message names `source` and the line:column. */
export declare function parseJsonText<T = unknown>(text: string, source: string, where?: string): T;
/** Writes `value` as 2-space-indented JSON with a trailing newline; readers never see a half-written file. */
export declare function writeJsonAtomic(file: string, value: unknown): void;
/** Write to `<file>.tmp-<pid>`, fsync, rename: an interrupted write leaves the old file intact. */
export declare function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void;
export declare function describeFsError(err: unknown): string;
