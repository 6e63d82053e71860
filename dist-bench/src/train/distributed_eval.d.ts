/**
 * Evaluation under data parallelism: each rank scores a contiguous shard of the dataset, then
 * the sums are added across ranks (loss × examples, examples, token-loss sums and counts — not
 * averages of averages) and predictions are gathered in rank order, which is dataset order. Every
 * rank ends with the same numbers, so compute_metrics, best-model tracking and early stopping
 * decide the same everywhere.
 */
import { type DataParallel } from "../distributed/index.js";
import { type EvalLoopOptions, type EvalLoopResult } from "./evaluation_loop.js";
export declare function shardedEvaluationLoop(dp: DataParallel | null, o: EvalLoopOptions): EvalLoopResult;
