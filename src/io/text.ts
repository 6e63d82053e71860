// Text files we parse (data, YAML configs): strict UTF-8. Node's "utf8" decoding replaces an
// invalid byte with U+FFFD silently, so a Latin-1 file would train on garbage; here it is an
// error naming the file, the line and the byte offset, and saying what to do.
import * as fs from "node:fs";
import { describeFsError } from "./json.js";

const FIX = "the file is not UTF-8 (Latin-1 or Windows-1252?); convert it, e.g. `iconv -f latin1 -t utf-8 in > out`";

/** Index of the first byte that starts an invalid UTF-8 sequence (bytes.length if one is cut off at the end), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const cont = (k: number, lo = 0x80, hi = 0xbf) => k < bytes.length && bytes[k] >= lo && bytes[k] <= hi;
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    let n: number;
    if (b < 0x80) n = 1;
    else if (b >= 0xc2 && b <= 0xdf) n = cont(i + 1) ? 2 : 0;
    else if (b >= 0xe0 && b <= 0xef) {
      const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
      n = cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      n = cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
    } else n = 0;
    if (n === 0) return i;
    i += n;
  }
  return -1;
}

function notUtf8(file: string, bytes: Uint8Array, lineBase: number, offsetBase: number, where = "data"): Error {
  const found = firstInvalidUtf8(bytes);
  const at = found < 0 ? 0 : found; // invalid only with the previous chunk's tail: blame this chunk's start
  let line = lineBase;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  const what = at < bytes.length ? `invalid UTF-8 byte 0x${bytes[at].toString(16).padStart(2, "0")}` : "a UTF-8 character cut off";
  return new Error(`[${where}] ${file}:${line}: ${what} at byte ${offsetBase + at}; ${FIX}`);
}

/** The whole file as text; invalid UTF-8 is an error naming the line. A leading BOM is dropped. */
export function readUtf8File(file: string, where = "data"): string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`[${where}] ${file}: ${describeFsError(err)}; check the path`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw notUtf8(file, bytes, 1, 0, where);
  }
  return text;
}

/** Decodes a byte stream as strict UTF-8, chunk by chunk; invalid bytes throw naming the line. */
export async function* decodeUtf8Stream(chunks: AsyncIterable<Buffer | string>, file: string): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let line = 1;
  let offset = 0;
  for await (const chunk of chunks) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch {
      throw notUtf8(file, bytes, line, offset);
    }
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
    offset += bytes.length;
    yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch {
    throw new Error(`[data] ${file}:${line}: invalid UTF-8 (a multi-byte character is cut off at the end of the file); ${FIX}`);
  }
}
