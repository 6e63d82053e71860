/** max |a − b| over the kept positions (rows of `inner` values each when a mask is given); NaN if any is NaN. */
export declare function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, mask?: ArrayLike<number> | null, inner?: number): number;
/** Worst violation of |a − b| ≤ atol + rtol·|b| (≤ 0 passes; NaN if any element is NaN). */
export declare function closeness(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number;
/** Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise, naming the worst (or first NaN) element. */
export declare function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol?: number, rtol?: number, what?: string): void;
