/**
 * The HTTP thread's handle on the model worker: starts it, waits until the model is
 * loaded, sends requests and turns the worker's messages back into per-request event
 * streams. Nothing here touches tensors.
 */
import { Worker } from "node:worker_threads";
import type { FromWorker, ServedModelInfo, ToWorker, EncodedResult } from "./protocol.js";
import type { WorkerData } from "./worker.js";

export type GenerationEvent = Extract<FromWorker, { type: "started" | "delta" | "finish" | "done" | "error" }>;

/** An async queue of one request's events. */
class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | null = null;
  private closed = false;

  push(item: T): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w({ value: item, done: false });
    } else this.items.push(item);
  }

  close(): void {
    this.closed = true;
    this.waiter?.({ value: undefined, done: true });
    this.waiter = null;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
    };
  }
}

export interface EngineStats {
  rows: number;
  waiting: number;
}

export class Engine {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly streams = new Map<number, EventQueue<GenerationEvent>>();
  private readonly encodes = new Map<number, { resolve: (r: { results: EncodedResult[]; prompt_tokens: number }) => void; reject: (e: Error & { status?: number }) => void }>();
  readonly stats: EngineStats = { rows: 0, waiting: 0 };
  info: ServedModelInfo | null = null;
  readonly ready: Promise<ServedModelInfo>;
  private exited = false;

  constructor(data: WorkerData) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: data });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on("message", (msg: FromWorker) => {
        if (msg.type === "ready") {
          this.info = msg.info;
          resolve(msg.info);
        } else if (msg.type === "fatal") reject(new Error(msg.message));
        else this.dispatch(msg);
      });
      this.worker.on("error", (err) => (reject(err), this.failAll(err.message)));
      this.worker.on("exit", (code) => {
        this.exited = true;
        reject(new Error(`[serve] the model worker exited (code ${code}) before the model was loaded`));
        this.failAll(`the model worker exited (code ${code})`);
      });
    });
    // A rejected `ready` that nobody awaited must not crash the process.
    this.ready.catch(() => {});
  }

  /** False once the worker has exited (every request then gets 503). */
  get alive(): boolean {
    return !this.exited;
  }

  /** Starts a generation; its events arrive on the returned iterable until "done" or "error". */
  generate(msg: Omit<Extract<ToWorker, { type: "generate" }>, "id" | "type">): { id: number; events: AsyncIterable<GenerationEvent> } {
    const id = this.nextId++;
    const queue = new EventQueue<GenerationEvent>();
    this.streams.set(id, queue);
    if (this.exited) {
      queue.push({ type: "error", id, status: 503, message: "the model worker has stopped" });
      queue.close();
    } else this.worker.postMessage({ type: "generate", id, ...msg } satisfies ToWorker);
    return { id, events: queue };
  }

  encode(model: string, task: "classify" | "embed", inputs: string[]): Promise<{ results: EncodedResult[]; prompt_tokens: number }> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(Object.assign(new Error("the model worker has stopped"), { status: 503 }));
      this.encodes.set(id, { resolve, reject });
      this.worker.postMessage({ type: "encode", id, model, task, inputs } satisfies ToWorker);
    });
  }

  /** Stops a request: its rows leave the batch before the next step. */
  cancel(id: number): void {
    const q = this.streams.get(id);
    if (q) {
      this.streams.delete(id);
      q.close();
    }
    if (!this.exited) this.worker.postMessage({ type: "cancel", id } satisfies ToWorker);
  }

  /** Ends the worker after the requests it holds (the caller waits for them first). */
  async close(): Promise<void> {
    if (this.exited) return;
    this.worker.postMessage({ type: "stop" } satisfies ToWorker);
    const exited = new Promise((resolve) => this.worker.once("exit", resolve));
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private dispatch(msg: FromWorker): void {
    if (msg.type === "stats") {
      this.stats.rows = msg.rows;
      this.stats.waiting = msg.waiting;
      return;
    }
    if (msg.type === "encoded" || (msg.type === "error" && this.encodes.has(msg.id))) {
      const pending = this.encodes.get(msg.id);
      this.encodes.delete(msg.id);
      if (msg.type === "encoded") pending?.resolve({ results: msg.results, prompt_tokens: msg.prompt_tokens });
      else pending?.reject(Object.assign(new Error(msg.message), { status: msg.status }));
      return;
    }
    if (!("id" in msg)) return;
    const q = this.streams.get(msg.id);
    if (!q) return;
    q.push(msg as GenerationEvent);
    if (msg.type === "done" || msg.type === "error") {
      this.streams.delete(msg.id);
      q.close();
    }
  }

  private failAll(message: string): void {
    for (const [id, q] of this.streams) (q.push({ type: "error", id, status: 503, message }), q.close());
    this.streams.clear();
    for (const [, p] of this.encodes) p.reject(Object.assign(new Error(message), { status: 503 }));
    this.encodes.clear();
  }
}
