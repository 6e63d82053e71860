// JSON files that other tools read and write (config.json, tokenizer_config.json, indexes):
// bounded reads with errors that name the file and the line:column, atomic writes.
import * as fs from "node:fs";
import * as path from "node:path";

export interface ReadJsonOptions {
  /** Refuse files larger than this (default 64 MiB): a guard against reading a weights file as JSON. */
  maxBytes?: number;
  /** Where the error message says it came from (default "json"). */
  where?: string;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/** Reads and parses a JSON file. Throws `[json] <file>: ...` errors with the line and column of a syntax error. */
export function readJsonFile<T = unknown>(file: string, options: ReadJsonOptions = {}): T {
  const where = options.where ?? "json";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new Error(`[${where}] ${file}: ${describeFsError(err)}; check the path`);
  }
  if (!stat.isFile()) throw new Error(`[${where}] ${file}: not a regular file; pass the path of a .json file`);
  if (stat.size > maxBytes) {
    throw new Error(
      `[${where}] ${file}: file is ${stat.size} bytes, over the ${maxBytes}-byte limit for a JSON file; ` +
        `check that this is the intended file or raise maxBytes`,
    );
  }
  const text = fs.readFileSync(file, "utf8");
  return parseJsonText<T>(text, file, where);
}

/** Parses JSON text; on a syntax error the message names `source` and the line:column. */
export function parseJsonText<T = unknown>(text: string, source: string, where = "json"): T {
  // A UTF-8 byte order mark is legal in files written by some editors; JSON.parse rejects it.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as T;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`[${where}] ${source}: invalid JSON${locate(body, message)}: ${shorten(message)}; fix or re-create the file`);
  }
}

/** Writes `value` as 2-space-indented JSON with a trailing newline; readers never see a half-written file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new Error(`[json] ${file}: value is not JSON-serialisable (${typeof value}); pass an object, array or primitive`);
  writeFileAtomic(file, text + "\n");
}

/** Write to `<file>.tmp-<pid>`, fsync, rename: an interrupted write leaves the old file intact. */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  } catch (err) {
    throw new Error(`[io] ${file}: cannot create its folder (${describeFsError(err)}); ${fsErrorRemedy(err)}`);
  }
  const tmp = `${file}.tmp-${process.pid}`;
  const parts = typeof data === "string" ? [Buffer.from(data, "utf8")] : data instanceof Uint8Array ? [data] : data;
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, "w");
    for (const bytes of parts) {
      let written = 0;
      // One write call is capped at 1 GiB: larger lengths are not portable across platforms.
      while (written < bytes.byteLength) {
        written += fs.writeSync(fd, bytes, written, Math.min(bytes.byteLength - written, 1 << 30));
      }
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== null) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    // Node's write errors name no path ("ENOSPC: no space left on device, write"): name it here.
    throw new Error(`[io] ${file}: could not write (${describeFsError(err)}); ${fsErrorRemedy(err)}`);
  }
}

/** What to do about a failed write, by error code. */
function fsErrorRemedy(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOSPC" || code === "EDQUOT") return "free disk space (or choose an output folder on another disk) and run again";
  if (code === "EROFS") return "the file system is read-only: choose a writable folder";
  if (code === "EACCES" || code === "EPERM") return "check the folder's permissions";
  return "check that the folder is writable and the disk is healthy";
}

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "file not found";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory, not a file";
  if (code === "ENOSPC") return "no space left on the disk (ENOSPC)";
  if (code === "EDQUOT") return "disk quota exceeded (EDQUOT)";
  return err instanceof Error ? err.message : String(err);
}

function locate(text: string, message: string): string {
  let pos: number | null = null;
  const m = /at position (\d+)/.exec(message);
  if (m) pos = Number(m[1]);
  else if (/Unexpected end of JSON input/.test(message)) pos = text.length;
  if (pos === null || pos > text.length) return "";
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return ` at line ${line} column ${pos - lineStart + 1}`;
}

function shorten(message: string): string {
  // V8 quotes the whole input in some messages; keep errors one readable line.
  const oneLine = message.replace(/\s+/g, " ");
  return oneLine.length > 200 ? oneLine.slice(0, 200) + "…" : oneLine;
}
