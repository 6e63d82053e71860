/**
 * The model worker (a worker_threads entry): loads the model, its adapters and tokenizer,
 * then runs the scheduler, so kernels never block the HTTP thread's event loop.
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadServing, type AdapterSpec } from "./load.js";
import { Scheduler } from "./scheduler.js";
import type { ToWorker } from "./protocol.js";

export interface WorkerData {
  model: string;
  adapters: AdapterSpec[];
  servedName: string;
  max_batch_size: number;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error("[serve] worker.js runs inside a worker thread");
  const data = workerData as WorkerData;
  let served;
  try {
    served = await loadServing(data.model, data.adapters, data.servedName);
  } catch (err) {
    port.postMessage({ type: "fatal", message: (err as Error).message });
    return;
  }
  const scheduler = new Scheduler(served, (msg) => port.postMessage(msg), { max_batch_size: data.max_batch_size });
  port.on("message", (msg: ToWorker) => scheduler.handle(msg));
  port.postMessage({ type: "ready", info: served.info });
  await scheduler.run();
  port.close();
}

main().catch((err) => parentPort?.postMessage({ type: "fatal", message: (err as Error).stack ?? String(err) }));
