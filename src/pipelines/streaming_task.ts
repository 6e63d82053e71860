/**
 * Task features for a streamed train split. The features are built by prepareTask's own
 * encoders, a chunk of rows at a time as training reads the stream, so a streamed run sees
 * the same features an in-memory one would. What needs the whole split is done without
 * holding it: the label set (classification, token classification) is collected in one
 * pass that keeps only distinct labels, and packing (causal LM) cuts blocks as examples
 * arrive.
 */
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import { Dataset, type Row } from "../data/dataset.js";
import type { BadRowPolicy } from "../data/bad_rows.js";
import { IterableDataset, streamedRowSource } from "../data/stream.js";
import { buildLabelMap, type ClassificationOptions } from "../data/formats/classification.js";
import { buildTagList, type TokenClassificationOptions } from "../data/formats/token_classification.js";
import { packStream } from "../data/formats/causal_lm.js";
import { TRUNCATION_NOTE } from "../data/lengths.js";
import { prepareTask, type PreparedTask, type TaskName, type TaskOptions } from "./tasks.js";

/** Rows encoded per chunk: big enough to amortise, small enough to stay far below memory. */
const CHUNK_ROWS = 256;

export interface StreamingPreparedTask {
  /** Collator, metrics and config overrides, with the in-memory (evaluation) splits encoded. */
  prepared: PreparedTask;
  /** The train split as a stream of features. */
  train: IterableDataset;
}

export async function prepareStreamingTask(
  taskName: TaskName, train: IterableDataset, evalSplits: Record<string, Dataset>, tokenizer: PreTrainedTokenizer,
  opts: TaskOptions = {}, policy: BadRowPolicy = "fail", warn: (message: string) => void = console.warn,
): Promise<StreamingPreparedTask> {
  const fixedLabels = await streamedLabels(taskName, train, opts);
  const packing = taskName === "causal_lm" && opts.packing === true;
  const chunkOpts = packing ? { ...opts, packing: false } : opts;
  // A few rows stand in for the train split where prepareTask needs one (regression's label width).
  const sample = asDataset(await train.take(CHUNK_ROWS).toList());
  const prepared = prepareTask(taskName, { ...evalSplits, train: sample }, tokenizer, chunkOpts, policy, fixedLabels);
  delete prepared.splits.train;
  // The sample's bad rows are the stream's first rows, reported when the stream reads them; its truncation note stands for the stream.
  prepared.warnings = prepared.warnings.filter((w) => !w.includes("preparing the train split")).map((w) => (TRUNCATION_NOTE.test(w) ? w.replace("of the train split", `of the first ${sample.length} rows of the streamed train split`) : w));
  let features = train.mapChunks((rows) => {
    const chunk = prepareTask(taskName, { train: asDataset(rows) }, tokenizer, chunkOpts, policy, fixedLabels);
    for (const w of chunk.warnings) if (!TRUNCATION_NOTE.test(w)) warn(w);
    return [...chunk.splits.train.rows];
  }, CHUNK_ROWS);
  if (packing) features = packStream(features, Number(opts.max_length ?? Math.min(tokenizer.model_max_length, 1024)));
  return { prepared, train: features };
}

function asDataset(rows: Row[]): Dataset {
  return new Dataset(rows, rows.map(streamedRowSource));
}

/**
 * The label set of a streamed split, read in one pass that keeps only the distinct values,
 * as id2label; null when the task has no label set or label_names fixes it.
 */
async function streamedLabels(taskName: TaskName, train: IterableDataset, opts: TaskOptions): Promise<{ id2label: Record<string, string> } | null> {
  if (taskName === "text_classification") {
    const o = opts as ClassificationOptions;
    if (o.label_names?.length || o.problem_type === "regression") return null;
    const col = o.label_column ?? "label";
    const distinct = new Map<string, unknown>();
    for await (const r of train) if (r[col] !== undefined) distinct.set(JSON.stringify(r[col]), r[col]);
    const map = buildLabelMap(new Dataset([...distinct.values()].map((v) => ({ [col]: v }))), o);
    return { id2label: map.id2label };
  }
  if (taskName === "token_classification") {
    const o = opts as TokenClassificationOptions;
    if (o.label_names?.length) return null;
    const col = o.tags_column ?? "tags";
    const tags = new Set<unknown>();
    for await (const r of train) if (Array.isArray(r[col])) for (const t of r[col] as unknown[]) tags.add(t);
    const list = buildTagList(new Dataset([{ [col]: [...tags] }]), o);
    return { id2label: Object.fromEntries(list.map((t, i) => [String(i), t])) };
  }
  return null;
}
