/**
 * The order examples are batched in: a fresh seeded permutation per epoch (so any epoch's
 * order can be recomputed on resume without replaying earlier ones), optionally grouped by
 * length as HF's LengthGroupedSampler does (megabatches of 50 batches, each sorted longest
 * first, so padding is small but batches still vary). A streamed dataset is batched as it
 * is read instead (streamBatches): its order is the stream's own (shuffle it with a buffer).
 */
import { SeededRandom } from "../tensor/random.js";
/** Mixes seed and epoch into one 32-bit seed (splitmix32). */
export function epochSeed(seed, epoch) {
    let z = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
}
export function batchOrder(o) {
    const n = o.numExamples;
    const rng = new SeededRandom(epochSeed(o.seed, o.epoch));
    let order = o.shuffle === false ? Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
    if (o.lengths) {
        const mega = o.batchSize * 50;
        const grouped = [];
        for (let s = 0; s < n; s += mega) {
            grouped.push(...order.slice(s, s + mega).sort((a, b) => o.lengths[b] - o.lengths[a]));
        }
        order = grouped;
    }
    const batches = [];
    for (let s = 0; s < n; s += o.batchSize) {
        const b = order.slice(s, s + o.batchSize);
        if (o.dropLast && b.length < o.batchSize)
            break;
        batches.push(b);
    }
    return batches;
}
/** Micro-batches per epoch (what the trainer iterates), honouring drop_last. */
export function numBatches(numExamples, batchSize, dropLast) {
    return dropLast ? Math.floor(numExamples / batchSize) : Math.ceil(numExamples / batchSize);
}
/**
 * Micro-batches of a streamed dataset, formed as rows arrive: one pass over the data, after
 * skipping what a checkpoint had consumed. The last short batch is kept unless dropLast.
 * Only one batch is held at a time.
 */
export async function* streamBatches(ds, o) {
    let skip = o.skipExamples ?? 0;
    let batch = [];
    for await (const row of ds.iterate(o.epoch)) {
        if (skip > 0) {
            skip--;
            continue;
        }
        batch.push(row);
        if (batch.length === o.batchSize) {
            yield batch;
            batch = [];
        }
    }
    if (batch.length && !o.dropLast)
        yield batch;
}
/** An in-memory epoch: the seeded batch order from micro-batch startBatch on, ga micro-batches per step. */
export function* indexedStepGroups(train, o) {
    const lengths = o.groupByLength ? train.rows.map((r) => r.input_ids?.length ?? 0) : null;
    const batches = batchOrder({ numExamples: train.length, batchSize: o.batchSize, seed: o.seed, epoch: o.epoch, dropLast: o.dropLast, lengths });
    const stepsInPass = Math.ceil(batches.length / o.ga);
    for (let first = o.startBatch; first < batches.length; first += o.ga) {
        yield { first, stepsInPass, group: batches.slice(first, first + o.ga).map((idx) => idx.map((i) => train.rows[i])) };
    }
}
/** A streamed epoch: micro-batches as rows arrive, ga per step (the last step of a pass may have fewer). */
export async function* streamedStepGroups(train, from, bs, ga, dropLast) {
    let first = from.batchesInEpoch;
    let group = [];
    for await (const batch of streamBatches(train, { epoch: from.epoch, batchSize: bs, dropLast, skipExamples: from.examplesInEpoch ?? 0 })) {
        group.push(batch);
        if (group.length < ga)
            continue;
        yield { first, group, stepsInPass: null };
        first += group.length;
        group = [];
    }
    if (group.length)
        yield { first, group, stepsInPass: null };
}
//# sourceMappingURL=batching.js.map