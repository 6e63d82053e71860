/**
 * Collectives for user code and the trainer, torch.distributed-style: worldSize(), rank(),
 * allReduce(tensor) and broadcast(tensor) in place, barrier(), and object broadcast/gather
 * (JSON) for what is not a tensor. In a single process they are identities and MPI is never
 * loaded.
 */
import type { Tensor } from "../tensor/index.js";
import { mpiWorld, startAllReduceSum, startBarrier, startBroadcastBytes } from "./mpi.js";

/** Number of processes in the job (1 when not launched under MPI). */
export function worldSize(): number {
  return mpiWorld()?.size ?? 1;
}

/** This process's rank, 0 ... worldSize() - 1 (0 when not launched under MPI). */
export function rank(): number {
  return mpiWorld()?.rank ?? 0;
}

/** Rank 0: the process that writes logs, checkpoints and reports. */
export function isMainProcess(): boolean {
  return rank() === 0;
}

function floatData(t: Tensor, fn: string): Float32Array {
  if (t.dtype !== "float32" || !t.isContiguous()) {
    throw new TypeError(`[distributed.${fn}] needs a contiguous float32 tensor, got ${t.dtype}${t.isContiguous() ? "" : " (not contiguous: call .contiguous() first)"}`);
  }
  return t.f32();
}

/** Sums (or averages, op "mean") the tensor over all ranks, in place; returns it. */
export function allReduce(t: Tensor, op: "sum" | "mean" = "sum"): Tensor {
  const data = floatData(t, "allReduce");
  const size = worldSize();
  if (size === 1) return t;
  const sum = new Float32Array(data.length);
  startAllReduceSum(data, sum, `allReduce of a [${t.shape.join(", ")}] tensor`).wait();
  if (op === "mean") for (let i = 0; i < sum.length; i++) sum[i] /= size;
  data.set(sum);
  return t;
}

/** Sums numbers over all ranks in float64 (exact counts, loss sums). */
export function allReduceNumbers(values: number[], what = "allReduce of numbers"): number[] {
  if (worldSize() === 1) return values.slice();
  const send = Float64Array.from(values);
  const recv = new Float64Array(values.length);
  startAllReduceSum(send, recv, what).wait();
  return Array.from(recv);
}

/** Copies root's tensor into every rank's, in place; returns it. */
export function broadcast(t: Tensor, root = 0): Tensor {
  const data = floatData(t, "broadcast");
  if (worldSize() === 1) return t;
  startBroadcastBytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), root, `broadcast of a [${t.shape.join(", ")}] tensor from rank ${root}`).wait();
  return t;
}

/** Waits until every rank reaches it. */
export function barrier(): void {
  if (worldSize() > 1) startBarrier("barrier").wait();
}

/** root's JSON-able value, on every rank. */
export function broadcastObject<T>(value: T, root = 0): T {
  if (worldSize() === 1) return value;
  const mine = rank() === root ? Buffer.from(JSON.stringify(value) ?? "null") : Buffer.alloc(0);
  const len = new Float64Array([mine.length]);
  startBroadcastBytes(new Uint8Array(len.buffer), root, `broadcast of an object's size from rank ${root}`).wait();
  const bytes = rank() === root ? new Uint8Array(mine) : new Uint8Array(len[0]);
  startBroadcastBytes(bytes, root, `broadcast of an object from rank ${root}`).wait();
  return JSON.parse(Buffer.from(bytes).toString("utf8")) as T;
}

/** Every rank's JSON-able value, in rank order, on every rank. */
export function allGatherObjects<T>(value: T): T[] {
  const size = worldSize();
  if (size === 1) return [value];
  const out: T[] = [];
  for (let r = 0; r < size; r++) out.push(broadcastObject(r === rank() ? value : null, r) as T);
  return out;
}
