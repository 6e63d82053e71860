// safetensors (https://github.com/huggingface/safetensors): 8-byte little-endian header length N,
// N bytes of JSON {"name": {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the raw little-endian tensor bytes. Files are untrusted input: every header field is
// checked before any byte of data is touched, and every error names the file.
import * as fs from "node:fs";
import { describeFsError, writeFileAtomic } from "./json.js";
import { DTYPE_SIZE, isSafetensorsDtype, type SafetensorsDtype } from "./dtypes.js";
import { parseStrictJson, StrictJsonError } from "./strict_json.js";

export { DTYPE_SIZE, isSafetensorsDtype, type SafetensorsDtype };

export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Little-endian bytes; a view into the source buffer when read from a Buffer. */
  data: Uint8Array;
}

export interface SafetensorsFile {
  metadata: Record<string, string> | null;
  tensors: Map<string, RawTensor>;
}

/** Same cap as the reference implementation (safetensors' MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;
/**
 * Most tensors one file may list. Real checkpoints hold a few thousand per shard; the cap stops
 * a hostile header (a million zero-size tensors fit in 100 MB) before it costs minutes and GBs.
 */
export const MAX_TENSORS = 200_000;

// Valid in the format but not readable here: named so the error can say "unsupported", not "unknown".
const OTHER_FORMAT_DTYPES = new Set(["U16", "U32", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64"]);
const CORRUPT = "the file is truncated or corrupt — re-download or re-export it";

/** Number of elements of `shape`; throws on negative, fractional or overflowing sizes. */
export function numelOf(shape: readonly number[], where = "safetensors"): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new Error(`[${where}] shape [${shape.join(", ")}] has dimension ${d}; dimensions must be non-negative integers`);
    n *= d;
    if (!Number.isSafeInteger(n)) throw new Error(`[${where}] shape [${shape.join(", ")}] has more than 2^53 elements; check the shape`);
  }
  return n;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

interface ParsedHeader {
  metadata: Record<string, string> | null;
  entries: HeaderEntry[];
}

/**
 * Reads a safetensors file (path) or buffer. From a path, each tensor gets its own freshly
 * allocated (hence aligned) buffer; from a buffer, tensors are views into it.
 */
export function readSafetensors(source: string | Uint8Array, options: { name?: string } = {}): SafetensorsFile {
  if (typeof source !== "string") return readFromBuffer(source, options.name ?? "<buffer>");
  const name = options.name ?? source;
  return withHeader(source, name, (fd, header, dataStart) => {
    const tensors = new Map<string, RawTensor>();
    for (const e of header.entries) {
      const data = new Uint8Array(e.end - e.begin);
      if (readFully(fd, data, dataStart + e.begin) < data.byteLength) {
        throw new Error(`[safetensors] ${name}: tensor "${e.name}" could not be read completely (did the file change while reading?); ${CORRUPT}`);
      }
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
    }
    return { metadata: header.metadata, tensors };
  });
}

/** Reads only the header: tensor names, dtypes and shapes, without loading data. */
export function readSafetensorsHeader(file: string): { metadata: Record<string, string> | null; tensors: Map<string, { dtype: SafetensorsDtype; shape: number[]; byteLength: number }> } {
  return withHeader(file, file, (_fd, header) => ({
    metadata: header.metadata,
    tensors: new Map(header.entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, byteLength: e.end - e.begin }])),
  }));
}

/**
 * Calls fn(name, raw) for every tensor of the file, one tensor in memory at a time: every
 * tensor is read into the same reused buffer, so raw.data is valid only until fn returns
 * (copy what you keep). A quantizing loader's peak is then the final model plus the largest
 * tensor, with no garbage piling up for the collector. `want` filters names before reading.
 */
export function forEachSafetensor(file: string, fn: (name: string, raw: RawTensor) => void, want: (name: string) => boolean = () => true): void {
  withHeader(file, file, (fd, header, dataStart) => {
    const largest = header.entries.reduce((m, e) => (want(e.name) ? Math.max(m, e.end - e.begin) : m), 0);
    const scratch = new Uint8Array(largest);
    for (const e of header.entries) {
      if (!want(e.name)) continue;
      const data = scratch.subarray(0, e.end - e.begin);
      if (readFully(fd, data, dataStart + e.begin) < data.byteLength) {
        throw new Error(`[safetensors] ${file}: tensor "${e.name}" could not be read completely (did the file change while reading?); ${CORRUPT}`);
      }
      fn(e.name, { dtype: e.dtype, shape: e.shape, data });
    }
  });
}

/** Opens `file`, reads and validates its header, and hands the open descriptor to `body`. */
function withHeader<T>(file: string, name: string, body: (fd: number, header: ParsedHeader, dataStart: number) => T): T {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (err) {
    throw new Error(`[safetensors] ${name}: ${describeFsError(err)}; check the path`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const prefix = new Uint8Array(8);
    if (size < 8 || readFully(fd, prefix, 0) < 8) {
      throw new Error(`[safetensors] ${name}: file is ${size} bytes, too short for the 8-byte header length; ${CORRUPT}`);
    }
    const headerLength = checkHeaderLength(prefix, size, name);
    const headerBytes = new Uint8Array(headerLength);
    if (readFully(fd, headerBytes, 8) < headerLength) throw new Error(`[safetensors] ${name}: header ends before ${headerLength} bytes; ${CORRUPT}`);
    const dataStart = 8 + headerLength;
    return body(fd, parseHeader(headerBytes, size - dataStart, name), dataStart);
  } finally {
    fs.closeSync(fd);
  }
}

function readFromBuffer(buf: Uint8Array, name: string): SafetensorsFile {
  if (buf.byteLength < 8) throw new Error(`[safetensors] ${name}: ${buf.byteLength} bytes is too short for the 8-byte header length; ${CORRUPT}`);
  const headerLength = checkHeaderLength(buf.subarray(0, 8), buf.byteLength, name);
  const dataStart = 8 + headerLength;
  const header = parseHeader(buf.subarray(8, dataStart), buf.byteLength - dataStart, name);
  const tensors = new Map<string, RawTensor>();
  for (const e of header.entries) {
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: buf.subarray(dataStart + e.begin, dataStart + e.end) });
  }
  return { metadata: header.metadata, tensors };
}

function checkHeaderLength(prefix: Uint8Array, fileSize: number, name: string): number {
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new Error(`[safetensors] ${name}: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit; this is not a safetensors file or it is corrupt — re-download or re-export it`);
  }
  const length = Number(n);
  if (8 + length > fileSize) {
    throw new Error(`[safetensors] ${name}: header length ${length} exceeds the file size (${fileSize} bytes); ${CORRUPT}`);
  }
  if (length < 2) throw new Error(`[safetensors] ${name}: header length ${length} is too small to hold a JSON object; ${CORRUPT}`);
  return length;
}

function parseHeader(bytes: Uint8Array, dataSize: number, name: string): ParsedHeader {
  const fail = (problem: string, remedy = CORRUPT): never => {
    throw new Error(`[safetensors] ${name}: ${problem}; ${remedy}`);
  };
  let text: string;
  try {
    // ignoreBOM keeps a leading U+FEFF in the text, so it is refused below as the reference does.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail("header is not valid UTF-8");
  }
  if (text.charCodeAt(0) === 0xfeff) fail("header starts with a byte-order mark (U+FEFF), which the format does not allow");
  if (text.trimStart()[0] !== "{") fail(`header does not start with "{" (starts with ${JSON.stringify(text.slice(0, 16))})`);
  let json: unknown;
  try {
    json = parseStrictJson(text, { maxKeys: MAX_TENSORS + 1, maxDepth: 64 });
  } catch (err) {
    if (!(err instanceof StrictJsonError)) throw err;
    return fail(`header is not valid safetensors JSON: ${err.message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("header JSON is not an object");

  let metadata: Record<string, string> | null = null;
  const entries: HeaderEntry[] = [];
  for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
    if (key === "__metadata__") {
      metadata = parseMetadata(value, fail);
      continue;
    }
    const t = `tensor "${key}"`;
    if (typeof value !== "object" || value === null || Array.isArray(value)) fail(`${t} is not an object with dtype, shape and data_offsets`);
    const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
    for (const field of ["dtype", "shape", "data_offsets"]) {
      if (!(field in (value as object))) fail(`${t} has no "${field}" field (each tensor needs dtype, shape and data_offsets)`);
    }
    if (!isSafetensorsDtype(dtype)) {
      if (typeof dtype === "string" && OTHER_FORMAT_DTYPES.has(dtype)) {
        fail(`${t} has dtype ${dtype}, which tunelab does not read (supported: ${Object.keys(DTYPE_SIZE).join(", ")})`, "convert the tensor to a supported dtype, e.g. with Python: tensor.to(torch.float32)");
      }
      fail(`${t} has unknown dtype ${JSON.stringify(dtype)} (valid: ${Object.keys(DTYPE_SIZE).join(", ")})`);
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      fail(`${t} has shape ${JSON.stringify(shape)}; a shape must be a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]) {
      fail(`${t} has data_offsets ${JSON.stringify(offsets)}; they must be [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    let bytesNeeded = DTYPE_SIZE[dtype as SafetensorsDtype];
    for (const d of shape as number[]) {
      bytesNeeded *= d;
      if (!Number.isSafeInteger(bytesNeeded)) fail(`${t} has shape [${(shape as number[]).join(", ")}], too large to address`);
    }
    if (end - begin !== bytesNeeded) {
      fail(`${t} (${dtype} [${(shape as number[]).join(", ")}]) needs ${bytesNeeded} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    }
    if (end > dataSize) fail(`${t} data_offsets [${begin}, ${end}] exceed the data section (${dataSize} bytes)`);
    entries.push({ name: key, dtype: dtype as SafetensorsDtype, shape: (shape as number[]).slice(), begin, end });
  }
  // The format requires the tensors to tile the data section exactly: no gaps, no overlaps.
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const e of sorted) {
    if (e.begin < covered) fail(`tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] overlap the previous tensor (which ends at ${covered})`);
    if (e.begin > covered) fail(`tensor "${e.name}" data_offsets [${e.begin}, ${e.end}] leave a gap after byte ${covered}`);
    covered = e.end;
  }
  if (covered !== dataSize) fail(`tensors cover ${covered} bytes but the data section has ${dataSize}`);
  return { metadata, entries };
}

function parseMetadata(value: unknown, fail: (problem: string) => never): Record<string, string> | null {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) return fail(`__metadata__ is ${JSON.stringify(value)?.slice(0, 60)}, not an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== "string") fail(`__metadata__ value for "${k}" is ${JSON.stringify(v)?.slice(0, 60)}; metadata values must be strings`);
    out[k] = v as string;
  }
  return out;
}

function readFully(fd: number, into: Uint8Array, position: number): number {
  let got = 0;
  while (got < into.byteLength) {
    const n = fs.readSync(fd, into, got, Math.min(into.byteLength - got, 1 << 30), position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

// Order used by the reference writer: dtype (its enum order, descending) then name, so that
// 8-byte types come first and every tensor stays aligned to its item size.
const DTYPE_WRITE_RANK: Record<SafetensorsDtype, number> = { I64: 0, F64: 1, F32: 2, I32: 3, BF16: 4, F16: 5, I16: 6, I8: 7, U8: 8, BOOL: 9 };

/** The bytes of a safetensors file: header JSON padded with spaces to a multiple of 8, then the data. */
export function serializeSafetensors(
  tensors: Record<string, RawTensor> | Map<string, RawTensor>,
  metadata: Record<string, string> | null = null,
): Uint8Array[] {
  const list = [...(tensors instanceof Map ? tensors.entries() : Object.entries(tensors))];
  for (const [name, t] of list) checkTensorForWrite(name, t);
  list.sort(([a, ta], [b, tb]) => DTYPE_WRITE_RANK[ta.dtype] - DTYPE_WRITE_RANK[tb.dtype] || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const header: Record<string, unknown> = {};
  if (metadata !== null) {
    const meta: Record<string, string> = {};
    for (const key of Object.keys(metadata).sort()) {
      if (typeof metadata[key] !== "string") throw new Error(`[safetensors] metadata value for "${key}" is ${typeof metadata[key]}; metadata values must be strings (use String(value))`);
      meta[key] = metadata[key];
    }
    header.__metadata__ = meta;
  }
  let offset = 0;
  for (const [name, t] of list) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.byteLength), true);
  return [prefix, headerBytes, ...list.map(([, t]) => t.data)];
}

/** Writes a safetensors file atomically (temporary file, fsync, rename). */
export function writeSafetensors(
  file: string,
  tensors: Record<string, RawTensor> | Map<string, RawTensor>,
  metadata: Record<string, string> | null = null,
): void {
  writeFileAtomic(file, serializeSafetensors(tensors, metadata)); // its errors name the file and the fix
}

function checkTensorForWrite(name: string, t: RawTensor): void {
  if (name === "__metadata__") throw new Error(`[safetensors] tensor name "__metadata__" is reserved by the format; rename the tensor`);
  if (!t || !isSafetensorsDtype(t.dtype)) throw new Error(`[safetensors] tensor "${name}" has dtype ${JSON.stringify(t?.dtype)}; use one of ${Object.keys(DTYPE_SIZE).join(", ")}`);
  if (!(t.data instanceof Uint8Array)) throw new Error(`[safetensors] tensor "${name}": data must be a Uint8Array of little-endian bytes (wrap typed arrays with new Uint8Array(a.buffer, a.byteOffset, a.byteLength))`);
  const numel = numelOf(t.shape, "safetensors");
  const expected = numel * DTYPE_SIZE[t.dtype];
  if (t.data.byteLength !== expected) {
    throw new Error(`[safetensors] tensor "${name}" (${t.dtype} [${t.shape.join(", ")}]) needs ${expected} bytes but data has ${t.data.byteLength}; check the shape or dtype`);
  }
}

export { rawToFloat32, rawToInt32, float32ToRaw, decode16 } from "./safetensors_convert.js";
