/**
 * Parquet through hyparquet, guarded. hyparquet decodes untrusted bytes in plain JavaScript,
 * and some corrupt files make it loop for minutes or forever (its RLE/bit-packed decoder,
 * encoding.js readRleBitPackedHybrid, trusts a run length from the file without bounding it by
 * the values left or the declared byte length — hyparquet's bug). So the decode runs in a
 * worker thread with a time budget and a heap limit: a bad file is an error naming the file,
 * never a hang and never an out-of-memory kill of the whole run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import { Worker } from "node:worker_threads";
import type { Row } from "./dataset.js";

export interface ParquetReadOptions {
  /** Time budget for decoding (default 60 s + 10 s per MB of file). */
  timeoutMs?: number;
  /** Heap limit of the decoding worker in MB (default half of the machine's memory). */
  maxHeapMb?: number;
}

const FIX = "re-export or re-download the file (check it with another Parquet reader, e.g. pyarrow)";

export function defaultParquetTimeoutMs(bytes: number): number {
  return 60_000 + Math.ceil((bytes / 1e6) * 10_000);
}

/** Every row of a Parquet file as an object; bad or undecodable files are errors naming the file. */
export async function readParquetRows(file: string, opts: ParquetReadOptions = {}): Promise<Row[]> {
  const size = fs.statSync(file).size;
  const timeoutMs = opts.timeoutMs ?? defaultParquetTimeoutMs(size);
  const maxHeapMb = opts.maxHeapMb ?? Math.floor(os.totalmem() / 2 ** 20 / 2);
  const worker = new Worker(new URL("./parquet_worker.js", import.meta.url), {
    workerData: { file },
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
  });
  try {
    return await new Promise<Row[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`[data] ${file}: decoding this ${size}-byte Parquet file did not finish within ${Math.round(timeoutMs / 1000)} s, so it was stopped; the file is most likely corrupt (hyparquet can loop on corrupt pages) — ${FIX}`));
      }, timeoutMs);
      worker.once("message", (m: { rows?: Row[]; error?: string }) => {
        clearTimeout(timer);
        if (m.rows) resolve(m.rows);
        else reject(new Error(`[data] ${file}: not a readable Parquet file (${String(m.error).slice(0, 200)}); ${FIX}`));
      });
      worker.once("error", (err: Error & { code?: string }) => {
        clearTimeout(timer);
        const why = err.code === "ERR_WORKER_OUT_OF_MEMORY" ? `decoding needed more than ${maxHeapMb} MB of memory` : err.message;
        reject(new Error(`[data] ${file}: not a readable Parquet file (${why}); ${FIX}`));
      });
      worker.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`[data] ${file}: the Parquet decoder stopped (exit code ${code}) without a result; ${FIX}`));
      });
    });
  } finally {
    await worker.terminate();
  }
}
