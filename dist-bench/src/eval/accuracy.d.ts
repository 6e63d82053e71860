/** Accuracy: the share of predictions equal to their reference (evaluate's "accuracy"). */
export declare function accuracy(predictions: readonly number[], references: readonly number[]): number;
export declare function checkSameLength(where: string, predictions: readonly unknown[], references: readonly unknown[]): void;
