/**
 * Data parallelism as PyTorch's DistributedDataParallel does it, over MPI: every rank holds
 * the whole model, trains on its own shard of each global batch, and the gradients of the
 * trainable parameters are summed across ranks in buckets. A bucket's MPI_Iallreduce starts
 * during backward as soon as every gradient in it is final (the autograd hook), so
 * communication overlaps the rest of the backward pass; buckets start strictly in bucket
 * order, so every rank issues the same collectives in the same order.
 *
 * Exactness: rank r scales its micro-batch loss by n_r / n (its share of the global
 * micro-batch), so the SUM of the ranks' gradients is the gradient of the loss averaged over
 * the global batch, also when the last batch is short or a rank gets no example — the same
 * update one process makes on the whole batch (up to float32 summation order).
 */
import { cpus } from "node:os";
import { setLeafGradFinalHook, Tensor } from "../tensor/index.js";
import { availableCpus, getNumThreads, setNumThreads } from "../tensor/threads.js";
import { allReduceNumbers, broadcast } from "./collectives.js";
import { mpiWorld, startAllReduceSum, type PendingCollective } from "./mpi.js";
import { threadsPerRank } from "./world.js";

export interface DataParallelOptions {
  /** Bucket size in MiB (HF's ddp_bucket_cap_mb; PyTorch's default is 25). */
  bucketCapMb?: number;
  /** Start reductions during backward (false: all after backward, e.g. under gradient checkpointing). */
  overlap?: boolean;
}

interface Bucket {
  params: Tensor[];
  offsets: number[];
  send: Float32Array;
  recv: Float32Array;
  /** Parameters whose gradient is not yet final in this step. */
  waiting: Set<Tensor>;
  pending: PendingCollective | null;
}

export class DataParallel {
  private buckets: Bucket[] = [];
  private bucketOf = new Map<Tensor, Bucket>();
  private nextToLaunch = 0;
  private overlap = true;
  /** Bytes this rank sends per optimizer step (the trainable gradients, float32). */
  bytesPerStep = 0;
  /** Bucket reductions started so far: during backward (overlapped) and after it. */
  readonly started = { duringBackward: 0, afterBackward: 0 };

  private constructor(readonly rank: number, readonly size: number) {}

  /**
   * The data-parallel group when launched under MPI with more than one rank, else null. Without
   * TUNELAB_NUM_THREADS, each rank takes its share of the node's cores.
   */
  static fromEnvironment(): DataParallel | null {
    const world = mpiWorld();
    if (!world || world.size < 2) return null;
    const share = process.env.TUNELAB_NUM_THREADS ? null : threadsPerRank(availableCpus(), cpus().length);
    if (share !== null && share !== getNumThreads()) setNumThreads(share);
    return new DataParallel(world.rank, world.size);
  }

  /**
   * Groups the trainable parameters into buckets (in reverse registration order, roughly the
   * order backward finishes them) and copies rank 0's values to every rank, so all start equal.
   */
  setup(params: Tensor[], o: DataParallelOptions = {}): void {
    this.overlap = o.overlap ?? true;
    const cap = Math.max(1, Math.floor(((o.bucketCapMb ?? 25) * 1024 * 1024) / 4));
    this.buckets = [];
    this.bucketOf.clear();
    let current: Tensor[] = [];
    let count = 0;
    const close = (): void => {
      if (!current.length) return;
      const offsets: number[] = [];
      let n = 0;
      for (const p of current) {
        offsets.push(n);
        n += p.numel;
      }
      const b: Bucket = { params: current, offsets, send: new Float32Array(n), recv: new Float32Array(n), waiting: new Set(), pending: null };
      for (const p of current) this.bucketOf.set(p, b);
      this.buckets.push(b);
      current = [];
      count = 0;
    };
    for (const p of [...params].reverse()) {
      if (p.dtype !== "float32") throw new TypeError(`[DataParallel] trainable parameters must be float32 to be reduced; one is ${p.dtype} [${p.shape.join(", ")}]`);
      if (count > 0 && count + p.numel > cap) close();
      current.push(p);
      count += p.numel;
    }
    close();
    this.bytesPerStep = this.buckets.reduce((s, b) => s + b.send.byteLength, 0);
    for (const p of params) broadcast(p, 0);
  }

  /** Number of buckets (for reports). */
  get numBuckets(): number {
    return this.buckets.length;
  }

  /** This rank's contiguous part of a global micro-batch (parts as even as possible). */
  shard<T>(rows: T[]): T[] {
    const n = rows.length;
    return rows.slice(Math.floor((this.rank * n) / this.size), Math.floor(((this.rank + 1) * n) / this.size));
  }

  /**
   * Before a micro-batch's backward: on the step's last one, gradients become final as
   * backward goes, so the hook starts their buckets' reductions.
   */
  beforeBackward(lastMicroBatch: boolean): void {
    if (!lastMicroBatch || !this.overlap) return;
    for (const b of this.buckets) b.waiting = new Set(b.params);
    setLeafGradFinalHook((leaf) => {
      const b = this.bucketOf.get(leaf);
      if (!b) return;
      b.waiting.delete(leaf);
      this.started.duringBackward += this.launchReady(false);
    });
  }

  /**
   * After the step's backward passes: starts the buckets not started yet, sums the weighted
   * loss, waits for everything and writes the summed gradients back; returns the loss of the
   * global batch.
   */
  finishStep(weightedLoss: number): number {
    setLeafGradFinalHook(null);
    this.started.afterBackward += this.launchReady(true);
    const loss = new Float64Array([weightedLoss]);
    const lossSum = new Float64Array(1);
    const lossReduce = startAllReduceSum(loss, lossSum, "the all-reduce of the step's loss");
    for (const b of this.buckets) {
      b.pending!.wait();
      b.pending = null;
      b.params.forEach((p, i) => {
        const summed = b.recv.subarray(b.offsets[i], b.offsets[i] + p.numel);
        if (p.grad) p.grad.f32().set(summed);
        else p.grad = Tensor.fromTypedArray(summed.slice(), p.shape).keep();
      });
    }
    lossReduce.wait();
    this.nextToLaunch = 0;
    return lossSum[0];
  }

  /** Starts buckets in order while the next one is complete (or all of them, `all`); returns how many. */
  private launchReady(all: boolean): number {
    const before = this.nextToLaunch;
    while (this.nextToLaunch < this.buckets.length) {
      const b = this.buckets[this.nextToLaunch];
      if (!all && b.waiting.size > 0) break;
      b.params.forEach((p, i) => {
        if (p.grad) b.send.set(p.grad.f32(), b.offsets[i]);
        else b.send.fill(0, b.offsets[i], b.offsets[i] + p.numel);
      });
      b.pending = startAllReduceSum(b.send, b.recv, `the gradient all-reduce of bucket ${this.nextToLaunch + 1}/${this.buckets.length}`);
      this.nextToLaunch++;
    }
    return this.nextToLaunch - before;
  }

  /** Sums numbers over ranks (float64: example counts and loss sums stay exact). */
  sum(values: number[], what: string): number[] {
    return allReduceNumbers(values, what);
  }
}
