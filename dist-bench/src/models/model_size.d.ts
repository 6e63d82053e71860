/** Throws when a size key is not a positive integer, or the float32 weights alone would not fit in memory. */
export declare function checkModelSize(cfg: Record<string, unknown>, source: string, totalBytes?: number): void;
