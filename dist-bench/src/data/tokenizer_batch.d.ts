export type PaddingOption = boolean | "longest" | "max_length" | "do_not_pad";
export type TruncationOption = boolean | "longest_first" | "only_first" | "only_second" | "do_not_truncate";
export type TruncationStrategy = "longest_first" | "only_first" | "only_second";
/** The strategy and total length to truncate to, or null for no truncation. */
export declare function resolveTruncation(truncation: TruncationOption | undefined, maxLength: number | undefined, modelMaxLength: number): {
    strategy: TruncationStrategy;
    max_length: number;
} | null;
/** Truncates token lists so that a.length + b.length <= limit (limit excludes special tokens). */
export declare function truncatePair(a: string[], b: string[] | null, limit: number, strategy: TruncationStrategy, side: "left" | "right", reserved: number): [string[], string[] | null];
/** The padded length for the batch, or null for no padding. */
export declare function resolvePadding(padding: PaddingOption | undefined, maxLength: number | undefined, modelMaxLength: number, rows: {
    ids: number[];
}[], padToMultipleOf: number | undefined): number | null;
/** Pads every row to `target` (rows already longer stay as they are). */
export declare function padBatch(rows: {
    ids: number[];
    typeIds: number[];
}[], target: number | null, padId: number, side: "left" | "right", withMask: boolean, withTypes: boolean): {
    input_ids: number[][];
    attention_mask?: number[][];
    token_type_ids?: number[][];
};
