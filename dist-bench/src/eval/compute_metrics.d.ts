export interface EvalPrediction {
    /** One entry per example: logits (C), token logits (T, C), or a tuple for QA. */
    predictions: unknown[];
    /** One entry per example: class id, float targets, or per-token ids. */
    label_ids: unknown[];
    /** Extra per-example fields the task kept for post-processing (QA offsets, ids). */
    inputs?: Record<string, unknown>[];
}
export type Metrics = Record<string, number>;
export type ComputeMetrics = (p: EvalPrediction) => Metrics;
export declare function argmaxOf(row: ArrayLike<number>): number;
/** Single-label classification: accuracy plus F1/precision/recall (binary for 2 classes, macro otherwise). */
export declare function classificationMetrics(opts?: {
    num_labels?: number;
    average?: "binary" | "macro" | "micro" | "weighted";
}): ComputeMetrics;
/** Multi-label classification: a label is on when its sigmoid passes the threshold (logit > logit(threshold)). */
export declare function multiLabelMetrics(opts?: {
    threshold?: number;
}): ComputeMetrics;
/** Regression (num_labels 1): mean squared and absolute error, and Pearson's r. */
export declare function regressionMetrics(): ComputeMetrics;
/** Token classification: seqeval entity F1 over the positions whose label is not -100. */
export declare function tokenClassificationMetrics(id2label: Record<string | number, string>): ComputeMetrics;
/**
 * Extractive QA: the best span (start <= end, at most max_answer_length tokens, inside the
 * context) per example, turned back to text through the features' character spans.
 */
export declare function questionAnsweringMetrics(opts?: {
    max_answer_length?: number;
}): ComputeMetrics;
export declare function bestSpanText(start: ArrayLike<number>, end: ArrayLike<number>, spans: ([number, number] | null)[], context: string, maxLen: number): string;
