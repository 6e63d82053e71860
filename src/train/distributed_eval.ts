/**
 * Evaluation under data parallelism: each rank scores a contiguous shard of the dataset, then
 * the sums are added across ranks (loss × examples, examples, token-loss sums and counts — not
 * averages of averages) and predictions are gathered in rank order, which is dataset order. Every
 * rank ends with the same numbers, so compute_metrics, best-model tracking and early stopping
 * decide the same everywhere.
 */
import { allGatherObjects, type DataParallel } from "../distributed/index.js";
import { evaluationLoop, type EvalLoopOptions, type EvalLoopResult } from "./evaluation_loop.js";

export function shardedEvaluationLoop(dp: DataParallel | null, o: EvalLoopOptions): EvalLoopResult {
  if (!dp) return evaluationLoop(o);
  const n = o.dataset.length;
  const from = Math.floor((dp.rank * n) / dp.size);
  const to = Math.floor(((dp.rank + 1) * n) / dp.size);
  const r = evaluationLoop({ ...o, dataset: o.dataset.select(Array.from({ length: to - from }, (_, i) => from + i)) });
  const scored = r.loss === null ? 0 : r.numExamples;
  const [lossSum, lossCount, tokenSum, tokenCount, runtime] = dp.sum(
    [scored ? r.loss! * scored : 0, scored, r.tokenLoss?.sum ?? 0, r.tokenLoss?.count ?? 0, r.runtime],
    "the all-reduce of evaluation sums",
  );
  let { predictions, label_ids, inputs } = r;
  if (o.collectPredictions) {
    const parts = allGatherObjects({ predictions, label_ids, inputs: inputs ?? [] });
    predictions = parts.flatMap((p) => p.predictions);
    label_ids = parts.flatMap((p) => p.label_ids);
    inputs = o.inputColumns?.length ? parts.flatMap((p) => p.inputs) : undefined;
  }
  return {
    loss: lossCount ? lossSum / lossCount : null,
    predictions, label_ids, inputs,
    numExamples: n,
    // The mean of the ranks' times (they run concurrently on equal shards).
    runtime: runtime / dp.size,
    ...(r.tokenLoss ? { tokenLoss: { sum: tokenSum, count: tokenCount } } : {}),
  };
}
