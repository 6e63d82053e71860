/**
 * Bad-row accounting: rows that cannot be used (invalid JSON line, missing column, unknown
 * label, empty text) are collected with their file and line. With `on_bad_rows: "fail"`
 * (the default) every problem is reported at once in one error; with "skip" the rows are
 * dropped and a one-line summary says how many and where.
 */
export type BadRowPolicy = "fail" | "skip";
export interface RowSource {
    file: string;
    /** 1-based line in the file (for JSON arrays: the item index, 0-based, as "item N"). */
    line: number;
    item?: boolean;
}
export interface BadRow {
    source: RowSource | undefined;
    reason: string;
}
export declare function describeSource(s: RowSource | undefined): string;
export declare class BadRowError extends Error {
    readonly rows: BadRow[];
    constructor(rows: BadRow[], stage: string);
}
export declare class BadRowLog {
    readonly policy: BadRowPolicy;
    readonly rows: BadRow[];
    constructor(policy?: BadRowPolicy);
    add(source: RowSource | undefined, reason: string): void;
    get count(): number;
    /**
     * Ends a stage: throws every collected problem under "fail"; under "skip" returns a summary
     * line (or null when nothing was bad) for the caller to print.
     */
    finish(stage: string): string | null;
}
