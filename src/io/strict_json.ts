/**
 * A strict JSON parser for headers of untrusted binary files (safetensors). It refuses what
 * JSON.parse lets through but the reference reader (Rust's serde_json) does not: duplicate keys
 * (JSON.parse keeps the last silently), lone UTF-16 surrogates in \u escapes, and a number with
 * a fraction or exponent where an integer is meant (`1.0`; JSON.parse turns it into 1). Nesting
 * is bounded (serde_json's recursion limit is 128) and so is the number of keys per object, so a
 * hostile header cannot exhaust the stack or the heap.
 */

export class StrictJsonError extends Error {}

export interface StrictJsonLimits {
  /** Most keys in one object (the top level of a safetensors header: its tensor count + 1). */
  maxKeys: number;
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
}

const WS = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Parses `text`; every number must be an integer literal (no fraction, no exponent). */
export function parseStrictJson(text: string, limits: StrictJsonLimits): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new StrictJsonError(`${what} at character ${i} of the header`);
  };
  const skip = () => {
    while (i < text.length && WS(text.charCodeAt(i))) i++;
  };

  const parseString = (): string => {
    i++; // opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail("control character in a string");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const e = text[i + 1];
      if (e === "u") {
        const unit = hex4(i + 2);
        i += 6;
        if (unit >= 0xd800 && unit <= 0xdbff) {
          if (text[i] !== "\\" || text[i + 1] !== "u") fail("lone leading surrogate in a \\u escape");
          const low = hex4(i + 2);
          if (low < 0xdc00 || low > 0xdfff) fail("lone leading surrogate in a \\u escape");
          i += 6;
          out += String.fromCharCode(unit, low);
        } else if (unit >= 0xdc00 && unit <= 0xdfff) {
          fail("lone trailing surrogate in a \\u escape");
        } else {
          out += String.fromCharCode(unit);
        }
      } else {
        const simple = ESCAPES[e];
        if (simple === undefined) fail(`invalid escape \\${e ?? ""}`);
        out += simple;
        i += 2;
      }
      start = i;
    }
    out += text.slice(start, i);
    i++; // closing quote
    return out;
  };

  const hex4 = (at: number): number => {
    const h = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) {
      i = at;
      fail("invalid \\u escape");
    }
    return parseInt(h, 16);
  };

  const parseNumber = (): number => {
    const m = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
    m.lastIndex = i;
    const r = m.exec(text);
    if (!r || r[0] === "-") return fail("invalid number");
    if (r[1] !== undefined || r[2] !== undefined) fail(`the number ${r[0]} is not an integer (sizes and offsets must be written as integers)`);
    const v = Number(r[0]);
    if (!Number.isSafeInteger(v)) fail(`the integer ${r[0]} is too large`);
    i += r[0].length;
    return v;
  };

  const parseValue = (depth: number): unknown => {
    skip();
    if (i >= text.length) fail("unexpected end");
    const c = text[i];
    if (c === "{" || c === "[") {
      if (depth >= limits.maxDepth) fail(`nesting deeper than ${limits.maxDepth} levels`);
      return c === "{" ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === '"') return parseString();
    if (c === "-" || (c >= "0" && c <= "9")) return parseNumber();
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return value;
      }
    }
    return fail(`unexpected ${JSON.stringify(c)}`);
  };

  const parseArray = (depth: number): unknown[] => {
    i++;
    const out: unknown[] = [];
    skip();
    if (text[i] === "]") {
      i++;
      return out;
    }
    for (;;) {
      if (out.length >= limits.maxKeys) fail(`more than ${limits.maxKeys} array elements`);
      out.push(parseValue(depth));
      skip();
      if (text[i] === ",") i++;
      else if (text[i] === "]") {
        i++;
        return out;
      } else fail('expected "," or "]"');
    }
  };

  const parseObject = (depth: number): Record<string, unknown> => {
    i++;
    // A null-prototype object: a key "__proto__" is an ordinary key, not the prototype.
    const out = Object.create(null) as Record<string, unknown>;
    let count = 0;
    skip();
    if (text[i] === "}") {
      i++;
      return out;
    }
    for (;;) {
      skip();
      if (text[i] !== '"') fail("expected a string key");
      const keyAt = i;
      const key = parseString();
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        i = keyAt;
        throw new StrictJsonError(`lists ${JSON.stringify(key)} twice (at character ${keyAt} of the header)`);
      }
      if (++count > limits.maxKeys) fail(`more than ${limits.maxKeys} keys in one object (the limit for tensors in one file)`);
      skip();
      if (text[i] !== ":") fail('expected ":"');
      i++;
      out[key] = parseValue(depth);
      skip();
      if (text[i] === ",") i++;
      else if (text[i] === "}") {
        i++;
        return out;
      } else fail('expected "," or "}"');
    }
  };

  const value = parseValue(0);
  skip();
  if (i < text.length) fail("trailing characters after the JSON value");
  return value;
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const LITERALS: [string, unknown][] = [["true", true], ["false", false], ["null", null]];
