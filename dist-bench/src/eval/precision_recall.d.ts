export type Average = "binary" | "micro" | "macro" | "weighted";
export interface ClassificationScoreOptions {
    average?: Average;
    pos_label?: number;
    /** Classes to score (default: every class seen in predictions or references). */
    labels?: number[];
}
export interface PrecisionRecallF1 {
    precision: number;
    recall: number;
    f1: number;
}
export declare function precisionRecallF1(predictions: readonly number[], references: readonly number[], opts?: ClassificationScoreOptions): PrecisionRecallF1;
export declare function precision(predictions: readonly number[], references: readonly number[], opts?: ClassificationScoreOptions): number;
export declare function recall(predictions: readonly number[], references: readonly number[], opts?: ClassificationScoreOptions): number;
