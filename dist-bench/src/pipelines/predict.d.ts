/**
 * Predicting rows with a trained model: each input row comes back with its own fields (gold
 * labels included) and the prediction's fields beside them — predicted_label with its score
 * and every label's probability, predicted_tags, the answer span, or the greedy completion /
 * generated_text of a generation task. When the rows carry gold labels, metrics come too.
 */
import { Dataset, type Row } from "../data/dataset.js";
import { type BadRowPolicy } from "../data/bad_rows.js";
import { type LoadTrainedOptions, type TrainedModel } from "./trained.js";
import { type Output } from "./run.js";
export declare const DEFAULT_MAX_NEW_TOKENS = 64;
export interface PredictOptions extends LoadTrainedOptions {
    /** Generation tasks: the most tokens to generate per row (default 64). */
    max_new_tokens?: number;
    /** Rows that cannot be encoded: "fail" (default, all reported at once) or "skip". */
    on_bad_rows?: BadRowPolicy;
    /** Rows per forward pass (default 64). */
    batch_size?: number;
    /** Where warnings about skipped rows go (default the console). */
    out?: Output;
}
export interface PredictResult {
    /** One per predicted row: the input row's fields plus the prediction's. */
    rows: Row[];
    /** For each output row, the index of the input row it came from (skipped rows leave gaps). */
    indices: number[];
    /** Metrics against the rows' gold labels (`predict_accuracy`, `predict_f1`, ...) when every row has one. */
    metrics?: Record<string, number>;
}
/**
 * Predicts rows (a list or a Dataset read from a file, whose lines then name bad rows) with
 * a trained folder or a model loaded by loadTrained.
 */
export declare function predict(source: string | TrainedModel, rows: Row[] | Dataset, opts?: PredictOptions): Promise<PredictResult>;
