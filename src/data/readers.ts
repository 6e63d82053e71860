/**
 * Readers: JSONL, JSON, CSV/TSV, Parquet and CoNLL files, or folders holding train /
 * validation / test splits, into Datasets whose rows remember their file and line. Unusable
 * rows (invalid JSON lines, wrong field counts) go to a BadRowLog instead of stopping at
 * the first one. For files larger than memory, stream.ts reads rows lazily.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseCsv } from "csv-parse/sync";

import { Dataset, type DatasetDict, type Row } from "./dataset.js";
import { BadRowLog, oversizedField, type BadRowPolicy, type RowSource } from "./bad_rows.js";
import { readUtf8File } from "../io/text.js";
import { readParquetRows } from "./parquet.js";

export type DataFormat = "jsonl" | "json" | "csv" | "tsv" | "parquet" | "conll" | "text";

export const DATA_FORMATS: DataFormat[] = ["jsonl", "json", "csv", "tsv", "parquet", "conll", "text"];

export interface ReadOptions {
  format?: DataFormat;
  /** JSON: the key holding the list of rows ({"data": [...]}), as HF's `field`. */
  field?: string;
  on_bad_rows?: BadRowPolicy;
  /** Where warnings about skipped rows go (default console.warn). */
  warn?: (message: string) => void;
  /** CSV/TSV: the columns' names, for files without a header row (HF's column_names). */
  column_names?: string[];
  /**
   * CSV/TSV: whether the first row names the columns (default true, or false when
   * column_names is given; true with column_names replaces the file's names).
   */
  header?: boolean;
}

/** How the columns of a CSV/TSV file are named. */
export type ColumnNaming = Pick<ReadOptions, "column_names" | "header">;

const EXTENSIONS: Record<string, DataFormat> = {
  ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv", ".tsv": "tsv",
  ".parquet": "parquet", ".conll": "conll", ".iob": "conll", ".bio": "conll", ".txt": "text", ".text": "text",
};

export function formatOf(file: string, given?: DataFormat): DataFormat {
  if (given) {
    if (!DATA_FORMATS.includes(given)) throw new RangeError(`[data] format must be one of ${DATA_FORMATS.join(", ")}, got "${given}"`);
    return given;
  }
  const ext = path.extname(file).toLowerCase();
  const f = EXTENSIONS[ext];
  if (!f) throw new Error(`[data] ${file}: cannot tell the format from "${ext || "(no extension)"}"; set format to one of ${DATA_FORMATS.join(", ")}`);
  return f;
}

/** Reads one file into a Dataset. Parquet is async; use readDataFile for every format. */
export async function readDataFile(file: string, opts: ReadOptions = {}): Promise<Dataset> {
  const format = formatOf(file, opts.format);
  if (!fs.existsSync(file)) throw new Error(`[data] ${file}: no such file; check the path (relative paths are resolved from the config file's folder)`);
  if (format === "parquet") return readParquet(file);
  return readDataFileSync(file, opts);
}

export function readDataFileSync(file: string, opts: ReadOptions = {}): Dataset {
  const format = formatOf(file, opts.format);
  if (format === "parquet") throw new Error(`[data] ${file}: Parquet is read asynchronously; use readDataFile`);
  const log = new BadRowLog(opts.on_bad_rows ?? "fail");
  const text = stripBom(readUtf8File(file));
  let ds: Dataset;
  switch (format) {
    case "jsonl": ds = parseJsonl(text, file, log); break;
    case "json": ds = parseJsonDocument(text, file, opts.field, log); break;
    case "csv": case "tsv": ds = parseDelimited(text, file, format, log, opts); break;
    case "conll": ds = parseConll(text, file); break;
    case "text": ds = parseTextLines(text, file); break;
  }
  ds = dropOversizedRows(ds, log);
  const summary = log.finish(`reading ${file}`);
  if (summary) (opts.warn ?? console.warn)(summary);
  return ds;
}

/** Rows with a field too long to tokenize in reasonable time and memory become bad rows. */
function dropOversizedRows(ds: Dataset, log: BadRowLog): Dataset {
  const keep: number[] = [];
  ds.rows.forEach((row, i) => {
    const why = oversizedField(row);
    if (why) log.add(ds.sources[i], why);
    else keep.push(i);
  });
  return keep.length === ds.length ? ds : new Dataset(keep.map((i) => ds.rows[i]), keep.map((i) => ds.sources[i]));
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function parseJsonl(text: string, file: string, log: BadRowLog): Dataset {
  const rows: Row[] = [];
  const sources: RowSource[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      const value = JSON.parse(line);
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        log.add({ file, line: i + 1 }, `expected a JSON object, got ${Array.isArray(value) ? "an array" : JSON.stringify(value)?.slice(0, 40)}`);
        return;
      }
      rows.push(value);
      sources.push({ file, line: i + 1 });
    } catch (err) {
      log.add({ file, line: i + 1 }, `invalid JSON (${(err as Error).message.replace(/\s+in JSON at position.*$/, "")})`);
    }
  });
  return new Dataset(rows, sources);
}

/** A JSON array of rows, {field: [...]}, or a dict of columns. */
function parseJsonDocument(text: string, file: string, field: string | undefined, log: BadRowLog): Dataset {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    // Often the file is really JSON Lines with a .json name.
    if (text.trimStart().startsWith("{") && text.includes("\n{")) return parseJsonl(text, file, log);
    throw new Error(`[data] ${file}: invalid JSON (${(err as Error).message}); fix the file, or name it .jsonl if it holds one object per line`);
  }
  if (field !== undefined) {
    if (doc === null || typeof doc !== "object" || !(field in (doc as object))) {
      throw new Error(`[data] ${file}: no key "${field}" at the top level (field); keys: ${doc && typeof doc === "object" ? Object.keys(doc).join(", ") : "(not an object)"}`);
    }
    doc = (doc as Record<string, unknown>)[field];
  }
  if (Array.isArray(doc)) {
    const rows: Row[] = [];
    const sources: RowSource[] = [];
    doc.forEach((item, i) => {
      if (item === null || typeof item !== "object" || Array.isArray(item)) log.add({ file, line: i, item: true }, "expected a JSON object");
      else {
        rows.push(item as Row);
        sources.push({ file, line: i, item: true });
      }
    });
    return new Dataset(rows, sources);
  }
  if (doc && typeof doc === "object" && Object.values(doc).every(Array.isArray)) return Dataset.fromDict(doc as Record<string, unknown[]>);
  throw new Error(`[data] ${file}: expected a list of rows, a dict of columns, or an object with the list under "field"; found ${typeof doc}`);
}

/**
 * csv-parse's options for CSV (RFC 4180 quoting) or TSV (no quoting, as GLUE's files are
 * written): the one definition the in-memory reader and the streaming reader (stream.ts) share.
 */
export function delimitedParseOptions(format: "csv" | "tsv") {
  return {
    delimiter: format === "tsv" ? "\t" : ",",
    quote: format === "tsv" ? false : '"',
    relax_column_count: true,
    skip_empty_lines: true,
    relax_quotes: format === "csv",
    bom: true,
    info: true,
  } as const;
}

export interface DelimitedRecord {
  record: string[];
  info: { lines: number };
}

/**
 * Turns parsed records into rows: the first record is the header (unless column_names or
 * header: false say otherwise); each later one becomes a row, or a bad row (wrong field
 * count) in the log. Shared by the in-memory and streaming readers.
 */
export class DelimitedRows {
  private header: string[] | null = null;
  constructor(private readonly file: string, private readonly log: BadRowLog, private readonly naming: ColumnNaming = {}) {}

  /** The row for `r`, or null for the header and for bad rows (logged). */
  next({ record, info }: DelimitedRecord): Row | null {
    if (!this.header) {
      const { header, body } = delimitedHeader(record, this.naming, this.file);
      this.header = header;
      if (body === 1) return null;
    }
    const header = this.header;
    // A trailing empty field is common (SST-2's "sentence \t label" lines are clean, others end with a tab).
    const fields = record.length === header.length + 1 && record[record.length - 1] === "" ? record.slice(0, -1) : record;
    if (fields.length !== header.length) {
      this.log.add({ file: this.file, line: info.lines }, `expected ${header.length} fields (${header.join(", ")}), got ${fields.length}`);
      return null;
    }
    return Object.fromEntries(header.map((h, i) => [h, parseScalar(fields[i])]));
  }
}

/** csv-parse's error with the file named and what to do (an unterminated quote names the line it opened on). */
export function delimitedError(err: unknown, file: string): Error {
  const e = err as Error & { code?: string; lines?: number };
  const where = e.lines !== undefined ? `${file}:${e.lines}` : file;
  const hint = e.code === "CSV_QUOTE_NOT_CLOSED" ? "close the quote, or double a quote inside a quoted field (\"\")" : "fix the file, or check its format (csv or tsv)";
  return new Error(`[data] ${where}: ${e.message}; ${hint}`);
}

/** CSV or TSV, header row first unless told otherwise. */
function parseDelimited(text: string, file: string, format: "csv" | "tsv", log: BadRowLog, naming: ColumnNaming = {}): Dataset {
  let records: DelimitedRecord[];
  try {
    records = parseCsv(text, delimitedParseOptions(format)) as DelimitedRecord[];
  } catch (err) {
    throw delimitedError(err, file);
  }
  const rows: Row[] = [];
  const sources: RowSource[] = [];
  const reader = new DelimitedRows(file, log, naming);
  for (const r of records) {
    const row = reader.next(r);
    if (!row) continue;
    rows.push(row);
    sources.push({ file, line: r.info.lines });
  }
  return new Dataset(rows, sources);
}

/**
 * The column names of a CSV/TSV file and the index of its first data row: the first row's
 * fields, or column_names (the first row is then data unless header: true), or column_0,
 * column_1, ... with header: false alone.
 */
export function delimitedHeader(first: string[], naming: ColumnNaming, file: string): { header: string[]; body: 0 | 1 } {
  const hasHeaderRow = naming.header ?? !naming.column_names;
  if (!naming.column_names) return hasHeaderRow ? { header: first.map((h) => h.trim()), body: 1 } : { header: first.map((_, i) => `column_${i}`), body: 0 };
  const width = first.length - (first.length === naming.column_names.length + 1 && first[first.length - 1] === "" ? 1 : 0);
  if (width !== naming.column_names.length) {
    throw new Error(`[data] ${file}: column_names has ${naming.column_names.length} names (${naming.column_names.join(", ")}) but the first row has ${width} fields; give one name per column`);
  }
  return { header: naming.column_names, body: hasHeaderRow ? 1 : 0 };
}

/**
 * Numbers written canonically ("0", "1", "-2.5") read as numbers, so a label column of ids
 * reads as ids; anything else stays the text it was ("3000 ", "007", "1.50"). Text columns
 * take numbers back as text (a sentence may be "10").
 */
export function parseScalar(v: string): string | number {
  if (v === "" || v.trim() !== v || !/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v)) return v;
  const n = Number(v);
  return String(n) === v ? n : v;
}

/** CoNLL: "token<TAB or space>...tag" per line, a blank line between sentences; -DOCSTART- lines are skipped. */
function parseConll(text: string, file: string): Dataset {
  const rows: Row[] = [];
  const sources: RowSource[] = [];
  let tokens: string[] = [];
  let tags: string[] = [];
  let start = 0;
  const flush = () => {
    if (tokens.length) {
      rows.push({ tokens, tags });
      sources.push({ file, line: start });
    }
    tokens = [];
    tags = [];
  };
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (!line.trim()) return flush();
    if (line.startsWith("-DOCSTART-")) return;
    const parts = line.split(/\t| +/);
    if (!tokens.length) start = i + 1;
    tokens.push(parts[0]);
    tags.push(parts.length > 1 ? parts[parts.length - 1] : "O");
  });
  flush();
  return new Dataset(rows, sources);
}

/** Plain text: one row per non-empty line ({ text }), for language-model pretraining. */
function parseTextLines(text: string, file: string): Dataset {
  const rows: Row[] = [];
  const sources: RowSource[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim()) {
      rows.push({ text: line.replace(/\r$/, "") });
      sources.push({ file, line: i + 1 });
    }
  });
  return new Dataset(rows, sources);
}

async function readParquet(file: string): Promise<Dataset> {
  const rows = await readParquetRows(file);
  return new Dataset(rows, rows.map((_, i) => ({ file, line: i, item: true })));
}

/** The words a file name uses for each split (as HF's data-files patterns). */
const SPLIT_KEYWORDS: [split: string, words: string[]][] = [
  ["train", ["train", "training"]],
  ["validation", ["validation", "valid", "dev", "val"]],
  ["test", ["test", "testing"]],
];

const stemOf = (name: string) => path.basename(name, path.extname(name));

/**
 * The split a file name suggests: the keyword set off by a separator or digits, as HF's
 * `{split}[-._ 0-9]` patterns ("train.jsonl", "train-00000-of-00002.parquet",
 * "wnut17train.conll" → train, "emerging.dev.conll" → validation); "attest.jsonl" is none.
 */
export function splitOfFile(name: string): string | null {
  const stem = stemOf(name).toLowerCase();
  for (const [split, words] of SPLIT_KEYWORDS) {
    for (const w of words) if (new RegExp(`(^|[-._ 0-9])${w}($|[-._ 0-9])`).test(stem)) return split;
  }
  return null;
}

/**
 * Files in a folder by split, for every known data format. A file named exactly for its
 * split (test.jsonl) makes the split's other candidates (test_copy.jsonl) stay out: they are
 * listed in `ignored` with the files that match no split.
 */
export function findSplitFiles(dir: string, format?: DataFormat): Record<string, string[]> & { ignored?: string[] } {
  const candidates: Record<string, string[]> = {};
  const ignored: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!fs.statSync(file).isFile() || name.startsWith(".")) continue;
    const ext = path.extname(name).toLowerCase();
    if (!format && !EXTENSIONS[ext]) continue;
    if (format && EXTENSIONS[ext] && EXTENSIONS[ext] !== format) continue;
    const split = splitOfFile(name);
    if (split) (candidates[split] ??= []).push(file);
    else ignored.push(file);
  }
  const out: Record<string, string[]> & { ignored?: string[] } = {};
  for (const [split, files] of Object.entries(candidates)) {
    const words = SPLIT_KEYWORDS.find(([s]) => s === split)![1];
    const exact = files.filter((f) => words.includes(stemOf(f).toLowerCase()));
    out[split] = exact.length ? exact : files;
    ignored.push(...files.filter((f) => !out[split].includes(f)));
  }
  if (ignored.length) Object.defineProperty(out, "ignored", { value: ignored.sort(), enumerable: false });
  return out;
}

export interface LoadDatasetOptions extends ReadOptions {
  /** Explicit files per split (HF's data_files); wins over folder discovery. */
  data_files?: Record<string, string | string[]>;
}

/**
 * Loads a DatasetDict from a file (one "train" split), a folder with split files, or
 * explicit data_files, as `datasets.load_dataset(format, data_files=...)` would.
 */
export async function loadDataset(pathOrDir: string | null, opts: LoadDatasetOptions = {}): Promise<DatasetDict> {
  const files: Record<string, string[]> = {};
  if (opts.data_files) {
    for (const [split, f] of Object.entries(opts.data_files)) files[split] = Array.isArray(f) ? f : [f];
  } else if (pathOrDir) {
    if (!fs.existsSync(pathOrDir)) throw new Error(`[data] ${pathOrDir}: no such file or folder; check dataset.path`);
    if (fs.statSync(pathOrDir).isDirectory()) {
      Object.assign(files, findSplitFiles(pathOrDir, opts.format));
      if (!Object.keys(files).length) {
        throw new Error(`[data] ${pathOrDir}: no split files found; name them train.*, validation.* (or dev.*), test.* with a known extension (${Object.keys(EXTENSIONS).join(" ")})`);
      }
    } else {
      files.train = [pathOrDir];
    }
  } else {
    throw new Error("[data] give dataset.path (a file or a folder of split files) or data_files");
  }
  const out: DatasetDict = {};
  for (const [split, list] of Object.entries(files)) {
    out[split] = Dataset.concatenate(await Promise.all(list.map((f) => readDataFile(f, opts))));
  }
  return out;
}
