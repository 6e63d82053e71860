import { Dataset } from "../data/dataset.js";
import { streamedRowSource } from "../data/stream.js";
import { buildLabelMap } from "../data/formats/classification.js";
import { buildTagList } from "../data/formats/token_classification.js";
import { packStream } from "../data/formats/causal_lm.js";
import { prepareTask } from "./tasks.js";
/** Rows encoded per chunk: big enough to amortise, small enough to stay far below memory. */
const CHUNK_ROWS = 256;
export async function prepareStreamingTask(taskName, train, evalSplits, tokenizer, opts = {}, policy = "fail", warn = console.warn) {
    const fixedLabels = await streamedLabels(taskName, train, opts);
    const packing = taskName === "causal_lm" && opts.packing === true;
    const chunkOpts = packing ? { ...opts, packing: false } : opts;
    // A few rows stand in for the train split where prepareTask needs one (regression's label width).
    const sample = asDataset(await train.take(CHUNK_ROWS).toList());
    const prepared = prepareTask(taskName, { ...evalSplits, train: sample }, tokenizer, chunkOpts, policy, fixedLabels);
    delete prepared.splits.train;
    prepared.warnings = prepared.warnings.filter((w) => !w.includes("preparing the train split"));
    let features = train.mapChunks((rows) => {
        const chunk = prepareTask(taskName, { train: asDataset(rows) }, tokenizer, chunkOpts, policy, fixedLabels);
        for (const w of chunk.warnings)
            warn(w);
        return [...chunk.splits.train.rows];
    }, CHUNK_ROWS);
    if (packing)
        features = packStream(features, Number(opts.max_length ?? Math.min(tokenizer.model_max_length, 1024)));
    return { prepared, train: features };
}
function asDataset(rows) {
    return new Dataset(rows, rows.map(streamedRowSource));
}
/**
 * The label set of a streamed split, read in one pass that keeps only the distinct values,
 * as id2label; null when the task has no label set or label_names fixes it.
 */
async function streamedLabels(taskName, train, opts) {
    if (taskName === "text_classification") {
        const o = opts;
        if (o.label_names?.length || o.problem_type === "regression")
            return null;
        const col = o.label_column ?? "label";
        const distinct = new Map();
        for await (const r of train)
            if (r[col] !== undefined)
                distinct.set(JSON.stringify(r[col]), r[col]);
        const map = buildLabelMap(new Dataset([...distinct.values()].map((v) => ({ [col]: v }))), o);
        return { id2label: map.id2label };
    }
    if (taskName === "token_classification") {
        const o = opts;
        if (o.label_names?.length)
            return null;
        const col = o.tags_column ?? "tags";
        const tags = new Set();
        for await (const r of train)
            if (Array.isArray(r[col]))
                for (const t of r[col])
                    tags.add(t);
        const list = buildTagList(new Dataset([{ [col]: [...tags] }]), o);
        return { id2label: Object.fromEntries(list.map((t, i) => [String(i), t])) };
    }
    return null;
}
//# sourceMappingURL=streaming_task.js.map