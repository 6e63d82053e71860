// Runs hyparquet on one file in a worker thread, so that the caller (parquet.ts) can cut a
// decode that never ends (hyparquet loops on some corrupt files) and bound its memory.
import { parentPort, workerData } from "node:worker_threads";

const { file } = workerData as { file: string };

async function main(): Promise<void> {
  const { parquetReadObjects, asyncBufferFromFile } = await import("hyparquet");
  const buffer = await asyncBufferFromFile(file);
  const rows = (await parquetReadObjects({ file: buffer })) as Record<string, unknown>[];
  // BigInt columns (int64) become numbers: labels and ids fit comfortably.
  for (const r of rows) for (const [k, v] of Object.entries(r)) if (typeof v === "bigint") r[k] = Number(v);
  parentPort!.postMessage({ rows });
}

main().catch((err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }));
