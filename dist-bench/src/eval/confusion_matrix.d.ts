export declare function confusionMatrix(predictions: readonly number[], references: readonly number[], numLabels?: number): number[][];
/** Renders the matrix with label names, for logs and the CLI. */
export declare function formatConfusionMatrix(matrix: number[][], labels?: readonly string[]): string;
