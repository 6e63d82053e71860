/**
 * Task features for a streamed train split. The features are built by prepareTask's own
 * encoders, a chunk of rows at a time as training reads the stream, so a streamed run sees
 * the same features an in-memory one would. What needs the whole split is done without
 * holding it: the label set (classification, token classification) is collected in one
 * pass that keeps only distinct labels, and packing (causal LM) cuts blocks as examples
 * arrive.
 */
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import { Dataset } from "../data/dataset.js";
import type { BadRowPolicy } from "../data/bad_rows.js";
import { IterableDataset } from "../data/stream.js";
import { type PreparedTask, type TaskName, type TaskOptions } from "./tasks.js";
export interface StreamingPreparedTask {
    /** Collator, metrics and config overrides, with the in-memory (evaluation) splits encoded. */
    prepared: PreparedTask;
    /** The train split as a stream of features. */
    train: IterableDataset;
}
export declare function prepareStreamingTask(taskName: TaskName, train: IterableDataset, evalSplits: Record<string, Dataset>, tokenizer: PreTrainedTokenizer, opts?: TaskOptions, policy?: BadRowPolicy, warn?: (message: string) => void): Promise<StreamingPreparedTask>;
