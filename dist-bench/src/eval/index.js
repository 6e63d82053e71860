/** Metrics, one file each, and ready-made compute_metrics functions per task. */
export { accuracy } from "./accuracy.js";
export { f1 } from "./f1.js";
export { precision, recall, precisionRecallF1 } from "./precision_recall.js";
export { perplexity, perplexityFromSums } from "./perplexity.js";
export { exactMatch, exactMatchScore, squadF1Score, squad, normalizeAnswer } from "./exact_match.js";
export { confusionMatrix, formatConfusionMatrix } from "./confusion_matrix.js";
export { seqeval, getEntities } from "./seqeval.js";
export { classificationMetrics, multiLabelMetrics, regressionMetrics, tokenClassificationMetrics, questionAnsweringMetrics, argmaxOf, bestSpanText, } from "./compute_metrics.js";
//# sourceMappingURL=index.js.map