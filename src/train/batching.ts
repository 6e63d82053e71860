/**
 * The order examples are batched in: a fresh seeded permutation per epoch (so any epoch's
 * order can be recomputed on resume without replaying earlier ones), optionally grouped by
 * length as HF's LengthGroupedSampler does (megabatches of 50 batches, each sorted longest
 * first, so padding is small but batches still vary).
 */
import { SeededRandom } from "../tensor/random.js";

export interface BatchOrderOptions {
  numExamples: number;
  batchSize: number;
  seed: number;
  epoch: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Example lengths (input_ids) when grouping by length. */
  lengths?: number[] | null;
}

/** Mixes seed and epoch into one 32-bit seed (splitmix32). */
export function epochSeed(seed: number, epoch: number): number {
  let z = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export function batchOrder(o: BatchOrderOptions): number[][] {
  const n = o.numExamples;
  const rng = new SeededRandom(epochSeed(o.seed, o.epoch));
  let order = o.shuffle === false ? Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
  if (o.lengths) {
    const mega = o.batchSize * 50;
    const grouped: number[] = [];
    for (let s = 0; s < n; s += mega) {
      grouped.push(...order.slice(s, s + mega).sort((a, b) => o.lengths![b] - o.lengths![a]));
    }
    order = grouped;
  }
  const batches: number[][] = [];
  for (let s = 0; s < n; s += o.batchSize) {
    const b = order.slice(s, s + o.batchSize);
    if (o.dropLast && b.length < o.batchSize) break;
    batches.push(b);
  }
  return batches;
}

/** Micro-batches per epoch (what the trainer iterates), honouring drop_last. */
export function numBatches(numExamples: number, batchSize: number, dropLast: boolean): number {
  return dropLast ? Math.floor(numExamples / batchSize) : Math.ceil(numExamples / batchSize);
}
