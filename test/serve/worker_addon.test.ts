// The native addon is context-aware: it loads in worker threads while the main thread uses
// it too, and kernels run from several threads at once give the right results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { tensor, matmul } from "../../src/tensor/index.js";

const source = `
import { parentPort, workerData } from "node:worker_threads";
const { tensor, matmul } = await import(workerData.tensorModule);
let sum = 0;
for (let i = 0; i < 200; i++) sum += matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).toFloat32Array().reduce((a, b) => a + b, 0);
parentPort.postMessage(sum);
`;

test("the native addon loads and computes in worker threads beside the main thread", async () => {
  const tensorModule = new URL("../../src/tensor/index.js", import.meta.url).href;
  const workers = [0, 1].map(() => new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), { workerData: { tensorModule } }));
  const results = workers.map((w) => new Promise<number>((resolve, reject) => (w.once("message", resolve), w.once("error", reject))));
  let local = 0;
  for (let i = 0; i < 200; i++) local += matmul(tensor([[1, 2], [3, 4]]), tensor([[5, 6], [7, 8]])).toFloat32Array().reduce((a, b) => a + b, 0);
  assert.equal(local, 200 * (19 + 22 + 43 + 50));
  assert.deepEqual(await Promise.all(results), [local, local]);
  await Promise.all(workers.map((w) => w.terminate()));
});
