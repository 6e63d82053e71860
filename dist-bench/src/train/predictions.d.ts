import type { Row } from "../data/dataset.js";
import type { TaskName } from "./tasks.js";
export interface PredictionLabels {
    id2label: Record<string, string>;
    /** The model config's problem_type (text classification). */
    problem_type?: unknown;
    /** Extractive QA: the longest answer span, in tokens (default 30). */
    max_answer_length?: number;
}
/**
 * The fields one prediction adds to its input row. `feature` is the encoded example the
 * prediction came from (word ids, token spans), `row` the input row it was encoded from.
 */
export declare function taskPrediction(task: TaskName, prediction: unknown, feature: Row, row: Row, labels: PredictionLabels): Record<string, unknown>;
