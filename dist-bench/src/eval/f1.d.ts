/** F1 score (sklearn's f1_score): see precision_recall.ts for the averaging modes. */
import { type ClassificationScoreOptions } from "./precision_recall.js";
export declare function f1(predictions: readonly number[], references: readonly number[], opts?: ClassificationScoreOptions): number;
