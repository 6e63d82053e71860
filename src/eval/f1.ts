/** F1 score (sklearn's f1_score): see precision_recall.ts for the averaging modes. */
import { precisionRecallF1, type ClassificationScoreOptions } from "./precision_recall.js";

export function f1(predictions: readonly number[], references: readonly number[], opts: ClassificationScoreOptions = {}): number {
  return precisionRecallF1(predictions, references, opts).f1;
}
