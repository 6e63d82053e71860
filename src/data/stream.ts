/**
 * Streaming for files larger than memory (HF's `streaming=True`): rows are read line by
 * line (CSV/TSV record by record, with the in-memory reader's csv-parse options) and flow
 * through lazy map/filter/take/skip/shuffle(buffer) stages; nothing but the shuffle buffer is
 * held. JSONL, plain text and CSV/TSV stream;
 * JSON documents and Parquet are read whole (use readDataFile).
 */
import * as fs from "node:fs";
import * as readline from "node:readline";
import { Readable, pipeline } from "node:stream";
import { parse as parseCsvStream } from "csv-parse";
import { decodeUtf8Stream } from "../io/text.js";
import { SeededRandom } from "../tensor/random.js";
import type { Batch, Row } from "./dataset.js";
import { BadRowLog, MAX_FIELD_CHARS, oversizedField, type BadRowPolicy, type RowSource } from "./bad_rows.js";
import { type ColumnNaming, type DataFormat, type DelimitedRecord, DelimitedRows, delimitedError, delimitedParseOptions, formatOf } from "./readers.js";

/** What a streamed file is read with: its format, the bad-row policy, and CSV/TSV column naming. */
export type StreamOptions = { format?: DataFormat; on_bad_rows?: BadRowPolicy } & ColumnNaming;

/** Formats with one record per line. */
const STREAMABLE: DataFormat[] = ["jsonl", "text", "csv", "tsv"];

/** Where streamed rows came from (file and line), for bad-row reports after lazy stages. */
const ROW_SOURCES = new WeakMap<Row, RowSource>();

export async function* streamRows(file: string, opts: StreamOptions = {}): AsyncGenerator<Row> {
  const format = formatOf(file, opts.format);
  if (!STREAMABLE.includes(format)) {
    throw new Error(`[data] ${file}: ${format} files cannot be streamed; stream JSONL, text, CSV or TSV, or load it with readDataFile`);
  }
  const log = new BadRowLog(opts.on_bad_rows ?? "fail");
  const input = fs.createReadStream(file);
  // Strict UTF-8: an invalid byte is an error naming the line, never a silent U+FFFD.
  const text = Readable.from(decodeUtf8Stream(input, file));
  try {
    if (format === "csv" || format === "tsv") yield* parseDelimitedStream(text, file, format, log, opts);
    else yield* parseLines(readline.createInterface({ input: text, crlfDelay: Infinity }), file, format, log);
  } finally {
    // A consumer that stops early (max_steps reached) must not leave the file open.
    text.destroy();
    input.destroy();
  }
  const summary = log.finish(`streaming ${file}`);
  if (summary) console.warn(summary);
}

/** CSV/TSV through csv-parse's streaming API, with the in-memory reader's options and row rules. */
async function* parseDelimitedStream(text: Readable, file: string, format: "csv" | "tsv", log: BadRowLog, naming: ColumnNaming): AsyncGenerator<Row> {
  const parser = parseCsvStream(delimitedParseOptions(format));
  // pipeline (unlike pipe) hands a read error (invalid UTF-8) on to the parser's iterator.
  pipeline(text, parser, () => {});
  const rows = new DelimitedRows(file, log, naming);
  try {
    for await (const record of parser as AsyncIterable<DelimitedRecord>) {
      const row = rows.next(record);
      const tooLong = row && oversizedField(row);
      if (tooLong) log.add({ file, line: record.info.lines }, tooLong);
      if (log.policy === "fail" && log.count) log.finish(`streaming ${file}`);
      if (!row || tooLong) continue;
      ROW_SOURCES.set(row, { file, line: record.info.lines });
      yield row;
    }
  } catch (err) {
    throw String((err as { code?: unknown }).code).startsWith("CSV_") ? delimitedError(err, file) : err;
  } finally {
    parser.destroy();
  }
}

async function* parseLines(lines: AsyncIterable<string>, file: string, format: DataFormat, log: BadRowLog): AsyncGenerator<Row> {
  let n = 0;
  for await (const raw of lines) {
    n++;
    const line = n === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (!line.trim()) continue;
    const tooLong = oversizedField(line.length > MAX_FIELD_CHARS && format === "jsonl" ? safeParse(line) : { text: line });
    if (tooLong) {
      log.add({ file, line: n }, tooLong);
      if (log.policy === "fail") log.finish(`streaming ${file}`);
      continue;
    }
    if (format === "text") {
      const row = { text: line };
      ROW_SOURCES.set(row, { file, line: n });
      yield row;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      log.add({ file, line: n }, `invalid JSON (${(err as Error).message})`);
      if (log.policy === "fail") log.finish(`streaming ${file}`);
      continue;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      log.add({ file, line: n }, "expected a JSON object");
      continue;
    }
    ROW_SOURCES.set(value as Row, { file, line: n });
    yield value as Row;
  }
}

/** A JSON line's object for the size check (an invalid line is reported by the parse below). */
function safeParse(line: string): Record<string, unknown> {
  try {
    const v = JSON.parse(line) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function streamedRowSource(row: Row): RowSource | undefined {
  return ROW_SOURCES.get(row);
}

function withSource(row: Row, from: Row): Row {
  const src = ROW_SOURCES.get(from);
  if (src) ROW_SOURCES.set(row, src);
  return row;
}

/** A stage's row source: one pass over the data; `epoch` reseeds shuffling (HF's set_epoch). */
export type RowStream = (epoch: number) => AsyncIterable<Row>;

export interface IterableMapOptions {
  /** Hand fn column batches of batch_size rows; it may return more or fewer rows (packing, chunking). */
  batched?: boolean;
  batch_size?: number;
  remove_columns?: string[];
}

/**
 * A lazy, re-iterable pipeline over a row source (HF's IterableDataset): each pass re-reads
 * the file, and every stage works row by row, so memory does not depend on the file size.
 * `iterate(epoch)` starts a pass; shuffle buffers are seeded with seed + epoch, as HF's
 * `set_epoch` does, so each epoch sees another order and any epoch can be replayed.
 */
export class IterableDataset {
  constructor(private readonly source: RowStream) {}

  /** Reads one or more files (concatenated, in order) line by line. */
  static fromFile(files: string | string[], opts: StreamOptions = {}): IterableDataset {
    const list = Array.isArray(files) ? files : [files];
    for (const f of list) if (!STREAMABLE.includes(formatOf(f, opts.format))) throw new Error(`[data] ${f}: ${formatOf(f, opts.format)} files cannot be streamed; stream JSONL, text, CSV or TSV, or load it with readDataFile`);
    return new IterableDataset(async function* () {
      for (const f of list) yield* streamRows(f, opts);
    });
  }

  static fromList(rows: Row[]): IterableDataset {
    return new IterableDataset(async function* () {
      yield* rows;
    });
  }

  /** One pass over the data; epoch seeds the shuffle stages. */
  iterate(epoch = 0): AsyncIterable<Row> {
    return this.source(epoch);
  }

  [Symbol.asyncIterator](): AsyncIterator<Row> {
    return this.source(0)[Symbol.asyncIterator]();
  }

  /** Row by row (the result is merged into the row), or with batched on column batches. */
  map(fn: (row: Row) => Row, opts?: IterableMapOptions & { batched?: false }): IterableDataset;
  map(fn: (batch: Batch) => Batch, opts: IterableMapOptions & { batched: true }): IterableDataset;
  map(fn: ((row: Row) => Row) | ((batch: Batch) => Batch), opts: IterableMapOptions = {}): IterableDataset {
    const remove = new Set(opts.remove_columns ?? []);
    const strip = (r: Row): Row => {
      if (!remove.size) return r;
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) if (!remove.has(k)) out[k] = v;
      return withSource(out, r);
    };
    if (!opts.batched) {
      const rowFn = fn as (row: Row) => Row;
      const src = this.source;
      return new IterableDataset(async function* (epoch) {
        for await (const r of src(epoch)) yield withSource({ ...strip(r), ...rowFn(r) }, r);
      });
    }
    const batchFn = fn as (batch: Batch) => Batch;
    return this.mapChunks((rows) => {
      const slice = rows.map(strip);
      const batch: Batch = {};
      for (const name of new Set(slice.flatMap((r) => Object.keys(r)))) batch[name] = slice.map((r) => r[name]);
      const out = batchFn(batch);
      const names = Object.keys(out);
      const n = names.length ? out[names[0]].length : 0;
      for (const c of names) {
        if (!Array.isArray(out[c]) || out[c].length !== n) throw new RangeError(`[dataset] map(batched): output column "${c}" has ${out[c]?.length} values but "${names[0]}" has ${n}`);
      }
      const same = n === slice.length;
      return Array.from({ length: n }, (_, i) => {
        const row = { ...(same ? slice[i] : {}), ...Object.fromEntries(names.map((c) => [c, out[c][i]])) };
        return same ? withSource(row, rows[i]) : row;
      });
    }, opts.batch_size ?? 1000);
  }

  /**
   * Applies fn to consecutive chunks of `size` rows (the last may be shorter); fn may return
   * more or fewer rows. The lazy counterpart of encoding a whole split: features are built
   * as training reaches them.
   */
  mapChunks(fn: (rows: Row[]) => Row[], size = 1000): IterableDataset {
    if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`[dataset] chunk size must be a positive integer, got ${size}`);
    const src = this.source;
    return new IterableDataset(async function* (epoch) {
      let chunk: Row[] = [];
      for await (const r of src(epoch)) {
        chunk.push(r);
        if (chunk.length < size) continue;
        const done = chunk;
        chunk = [];
        yield* fn(done);
      }
      if (chunk.length) yield* fn(chunk);
    });
  }

  filter(fn: (row: Row) => boolean): IterableDataset {
    const src = this.source;
    return new IterableDataset(async function* (epoch) {
      for await (const r of src(epoch)) if (fn(r)) yield r;
    });
  }

  take(n: number): IterableDataset {
    const src = this.source;
    return new IterableDataset(async function* (epoch) {
      if (n <= 0) return;
      let i = 0;
      for await (const r of src(epoch)) {
        yield r;
        if (++i >= n) return;
      }
    });
  }

  skip(n: number): IterableDataset {
    const src = this.source;
    return new IterableDataset(async function* (epoch) {
      let i = 0;
      for await (const r of src(epoch)) if (i++ >= n) yield r;
    });
  }

  /**
   * Approximate shuffling with a fixed-size buffer, as HF's IterableDataset.shuffle: the
   * buffer fills with the first buffer_size rows, then each new row replaces a random one,
   * which is yielded. Pass `epoch` seeds it with seed + epoch.
   */
  shuffle(opts: { seed?: number; buffer_size?: number } = {}): IterableDataset {
    const src = this.source;
    const size = opts.buffer_size ?? 1000;
    const seed = opts.seed ?? 42;
    if (!(Number.isInteger(size) && size > 0)) throw new RangeError(`[dataset] shuffle: buffer_size must be a positive integer, got ${size}`);
    return new IterableDataset(async function* (epoch) {
      const rng = new SeededRandom(seed + epoch);
      const buffer: Row[] = [];
      for await (const r of src(epoch)) {
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

  async toList(epoch = 0): Promise<Row[]> {
    const out: Row[] = [];
    for await (const r of this.iterate(epoch)) out.push(r);
    return out;
  }
}
