/**
 * Streaming for files larger than memory (HF's `streaming=True`): rows are read line by
 * line and flow through lazy map/filter/take/skip/shuffle(buffer) stages; nothing but the
 * shuffle buffer is held. JSONL, plain text and CSV/TSV (one record per line) stream;
 * JSON documents and Parquet are read whole (use readDataFile).
 */
import * as fs from "node:fs";
import * as readline from "node:readline";
import { SeededRandom } from "../tensor/random.js";
import type { Row } from "./dataset.js";
import { BadRowLog, type BadRowPolicy } from "./bad_rows.js";
import { formatOf, type DataFormat } from "./readers.js";

export async function* streamRows(file: string, opts: { format?: DataFormat; on_bad_rows?: BadRowPolicy } = {}): AsyncGenerator<Row> {
  const format = formatOf(file, opts.format);
  if (format !== "jsonl" && format !== "text" && format !== "csv" && format !== "tsv") {
    throw new Error(`[data] ${file}: ${format} files cannot be streamed; stream JSONL, text, CSV or TSV, or load it with readDataFile`);
  }
  const log = new BadRowLog(opts.on_bad_rows ?? "fail");
  const lines = readline.createInterface({ input: fs.createReadStream(file, "utf8"), crlfDelay: Infinity });
  let header: string[] | null = null;
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (!line.trim()) continue;
    if (format === "text") {
      yield { text: line };
    } else if (format === "jsonl") {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        log.add({ file, line: n }, `invalid JSON (${(err as Error).message})`);
        if (log.policy === "fail") log.finish(`streaming ${file}`);
        continue;
      }
      if (value && typeof value === "object" && !Array.isArray(value)) yield value as Row;
      else log.add({ file, line: n }, "expected a JSON object");
    } else {
      const fields = line.split(format === "tsv" ? "\t" : ",");
      if (!header) {
        header = fields.map((h) => h.trim());
        continue;
      }
      if (fields.length !== header.length) {
        log.add({ file, line: n }, `expected ${header.length} fields, got ${fields.length}`);
        if (log.policy === "fail") log.finish(`streaming ${file}`);
        continue;
      }
      yield Object.fromEntries(header.map((h, i) => [h, /^-?\d+(\.\d+)?$/.test(fields[i].trim()) ? Number(fields[i]) : fields[i]]));
    }
  }
  const summary = log.finish(`streaming ${file}`);
  if (summary) console.warn(summary);
}

/** A lazy, re-iterable pipeline over a row source (each iteration re-reads the file). */
export class IterableDataset {
  constructor(private readonly source: () => AsyncIterable<Row>) {}

  static fromFile(file: string, opts: { format?: DataFormat; on_bad_rows?: BadRowPolicy } = {}): IterableDataset {
    return new IterableDataset(() => streamRows(file, opts));
  }

  static fromList(rows: Row[]): IterableDataset {
    return new IterableDataset(async function* () {
      yield* rows;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Row> {
    return this.source()[Symbol.asyncIterator]();
  }

  map(fn: (row: Row) => Row): IterableDataset {
    const src = this.source;
    return new IterableDataset(async function* () {
      for await (const r of src()) yield { ...r, ...fn(r) };
    });
  }

  filter(fn: (row: Row) => boolean): IterableDataset {
    const src = this.source;
    return new IterableDataset(async function* () {
      for await (const r of src()) if (fn(r)) yield r;
    });
  }

  take(n: number): IterableDataset {
    const src = this.source;
    return new IterableDataset(async function* () {
      if (n <= 0) return;
      let i = 0;
      for await (const r of src()) {
        yield r;
        if (++i >= n) return;
      }
    });
  }

  skip(n: number): IterableDataset {
    const src = this.source;
    return new IterableDataset(async function* () {
      let i = 0;
      for await (const r of src()) if (i++ >= n) yield r;
    });
  }

  /** Approximate shuffling with a fixed-size buffer, as HF's IterableDataset.shuffle. */
  shuffle(opts: { seed?: number; buffer_size?: number } = {}): IterableDataset {
    const src = this.source;
    const size = opts.buffer_size ?? 1000;
    const seed = opts.seed ?? 42;
    return new IterableDataset(async function* () {
      const rng = new SeededRandom(seed);
      const buffer: Row[] = [];
      for await (const r of src()) {
        if (buffer.length < size) {
          buffer.push(r);
          continue;
        }
        const j = rng.int(size);
        yield buffer[j];
        buffer[j] = r;
      }
      while (buffer.length) yield buffer.splice(rng.int(buffer.length), 1)[0];
    });
  }

  async toList(): Promise<Row[]> {
    const out: Row[] = [];
    for await (const r of this) out.push(r);
    return out;
  }
}
