/** F1 score (sklearn's f1_score): see precision_recall.ts for the averaging modes. */
import { precisionRecallF1 } from "./precision_recall.js";
export function f1(predictions, references, opts = {}) {
    return precisionRecallF1(predictions, references, opts).f1;
}
//# sourceMappingURL=f1.js.map