/**
 * The checkpoint layout Transformers + bitsandbytes write for a 4-bit weight (QuantState.
 * as_dict(packed=True) under the module's `weight.` prefix):
 *
 *   weight                                  U8  [ceil(n/2), 1]  packed codes
 *   weight.absmax                           F32 [blocks], or U8 when double-quantized
 *   weight.quant_map                        F32 [16]
 *   weight.nested_absmax                    F32 [ceil(blocks/256)]   (double quant only)
 *   weight.nested_quant_map                 F32 [256]                (double quant only)
 *   weight.quant_state.bitsandbytes__nf4    U8  JSON of the non-tensor fields
 *
 * Files are untrusted: every field and length is checked before use, errors name the key.
 */
import { BLOCKSIZES_4BIT, type Int8Rows, type NestedState, QuantState, type QuantType4bit } from "./functional.js";

/** A tensor's bytes as the serializer sees them (the io layer's RawTensor shape). */
export interface QuantRaw {
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** Safetensors dtypes of bnb_4bit_quant_storage (packed codes viewed as that dtype), with their sizes. */
export const STORAGE_DTYPES: Record<string, { dtype: string; itemsize: number }> = {
  uint8: { dtype: "U8", itemsize: 1 }, int8: { dtype: "I8", itemsize: 1 }, float16: { dtype: "F16", itemsize: 2 },
  bfloat16: { dtype: "BF16", itemsize: 2 }, float32: { dtype: "F32", itemsize: 4 }, float64: { dtype: "F64", itemsize: 8 },
};

const STATE_PREFIX = "quant_state.bitsandbytes__";
/** Key suffixes (after "weight.") a 4-bit weight may have. */
export const QUANT_STATE_SUFFIXES = ["absmax", "quant_map", "nested_absmax", "nested_quant_map", `${STATE_PREFIX}nf4`, `${STATE_PREFIX}fp4`];

/** Python's repr() of a float, as json.dumps writes it (1e-05, 0.5, 1.0, 1e+16). */
export function pythonFloat(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "NaN" : x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const sign = mant.startsWith("-") ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${whole}.${frac || "0"}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

function f32Bytes(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();
}

/** The key suffix → tensor map of one 4-bit weight, keys relative to the module ("weight", "weight.absmax", ...). */
export function quantStateToDict(packed: Uint8Array, state: QuantState): Map<string, QuantRaw> {
  const out = new Map<string, QuantRaw>();
  out.set("weight", { dtype: "U8", shape: [packed.length, 1], data: packed.slice() });
  const blocks = state.absmax.length;
  out.set("weight.absmax", state.state2
    ? { dtype: "U8", shape: [blocks], data: (state.absmax as Uint8Array).slice() }
    : { dtype: "F32", shape: [blocks], data: f32Bytes(state.absmax as Float32Array) });
  out.set("weight.quant_map", { dtype: "F32", shape: [16], data: f32Bytes(state.code) });
  // json.dumps of the non-tensor fields in QuantState.as_dict's order.
  let json = `{"quant_type": "${state.quant_type}", "blocksize": ${state.blocksize}, "dtype": "${state.dtype}", "shape": [${state.shape.join(", ")}]`;
  if (state.state2) {
    out.set("weight.nested_absmax", { dtype: "F32", shape: [state.state2.absmax.length], data: f32Bytes(state.state2.absmax) });
    out.set("weight.nested_quant_map", { dtype: "F32", shape: [state.state2.code.length], data: f32Bytes(state.state2.code) });
    json += `, "nested_blocksize": ${state.state2.blocksize}, "nested_dtype": "float32", "nested_offset": ${pythonFloat(state.offset ?? 0)}`;
  }
  json += "}";
  const bytes = new TextEncoder().encode(json);
  out.set(`weight.${STATE_PREFIX}${state.quant_type}`, { dtype: "U8", shape: [bytes.length], data: bytes });
  return out;
}

function floats(raw: QuantRaw, key: string, want: number): Float32Array {
  if (raw.dtype !== "F32") throw new Error(`[quant] "${key}" must be F32, got ${raw.dtype}`);
  if (raw.data.byteLength !== want * 4) throw new Error(`[quant] "${key}" has ${raw.data.byteLength / 4} values but ${want} are needed; the checkpoint is inconsistent`);
  const out = new Float32Array(want);
  new Uint8Array(out.buffer).set(raw.data);
  return out;
}

/**
 * Rebuilds [packed, state] from one weight's entries (keys relative to the module, as
 * quantStateToDict writes them). `where` names the module in errors.
 */
export function quantStateFromDict(entries: Map<string, QuantRaw>, where: string): { packed: Uint8Array; state: QuantState } {
  const key = (s: string) => `${where}.${s}`;
  const get = (s: string): QuantRaw => {
    const r = entries.get(s);
    if (!r) throw new Error(`[quant] "${key(s)}" is missing from the 4-bit checkpoint; it was saved incompletely — re-save it with save_pretrained`);
    return r;
  };
  const stateKeys = [...entries.keys()].filter((k) => k.startsWith(`weight.${STATE_PREFIX}`));
  if (stateKeys.length !== 1) throw new Error(`[quant] ${where}: expected one "weight.${STATE_PREFIX}<nf4|fp4>" entry, found ${stateKeys.length ? stateKeys.join(", ") : "none"}`);
  const stateRaw = get(stateKeys[0]);
  if (stateRaw.data.byteLength > 4096) throw new Error(`[quant] "${key(stateKeys[0])}" is ${stateRaw.data.byteLength} bytes; a quant state is a short JSON object`);
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(stateRaw.data)) as Record<string, unknown>;
  } catch {
    throw new Error(`[quant] "${key(stateKeys[0])}" is not UTF-8 JSON; the checkpoint is corrupt`);
  }
  const bad = (field: string) => new Error(`[quant] "${key(stateKeys[0])}": field ${field} is ${JSON.stringify(info[field])}, which bitsandbytes never writes`);
  const quantType = info.quant_type;
  if (quantType !== "nf4" && quantType !== "fp4") throw bad("quant_type");
  if (!stateKeys[0].endsWith(quantType)) throw bad("quant_type");
  const blocksize = info.blocksize as number;
  if (!BLOCKSIZES_4BIT.includes(blocksize)) throw bad("blocksize");
  const shape = info.shape;
  if (!Array.isArray(shape) || shape.length === 0 || shape.length > 4 || shape.some((d) => !Number.isSafeInteger(d) || d <= 0)) throw bad("shape");
  const n = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(n) || n > 2 ** 40) throw bad("shape");
  const dtype = info.dtype;
  if (dtype !== "float32" && dtype !== "bfloat16" && dtype !== "float16") throw bad("dtype");
  const packedRaw = get("weight");
  // bnb_4bit_quant_storage: the packed bytes, viewed as another dtype; only the byte count matters.
  if (!Object.values(STORAGE_DTYPES).some((d) => d.dtype === packedRaw.dtype)) {
    throw new Error(`[quant] "${key("weight")}" is ${packedRaw.dtype}; packed 4-bit codes are stored as ${Object.values(STORAGE_DTYPES).map((d) => d.dtype).join(", ")} (bnb_4bit_quant_storage)`);
  }
  if (packedRaw.data.byteLength !== (n + 1) >> 1) throw new Error(`[quant] "${key("weight")}" holds ${packedRaw.data.byteLength} bytes but shape [${shape.join(", ")}] needs ${(n + 1) >> 1}`);
  const blocks = Math.ceil(n / blocksize);
  const code = floats(get("weight.quant_map"), key("weight.quant_map"), 16);
  const absmaxRaw = get("weight.absmax");
  const nested = entries.has("weight.nested_absmax");
  let state: QuantState;
  if (!nested) {
    state = new QuantState(quantType, blocksize, shape as number[], dtype, floats(absmaxRaw, key("weight.absmax"), blocks), code);
  } else {
    if (info.nested_blocksize !== 256) throw bad("nested_blocksize");
    if (typeof info.nested_offset !== "number" || !Number.isFinite(info.nested_offset)) throw bad("nested_offset");
    if (absmaxRaw.dtype !== "U8" || absmaxRaw.data.byteLength !== blocks) throw new Error(`[quant] "${key("weight.absmax")}" must be ${blocks} U8 codes when double-quantized, got ${absmaxRaw.dtype} [${absmaxRaw.shape.join(", ")}]`);
    const state2: NestedState = {
      absmax: floats(get("weight.nested_absmax"), key("weight.nested_absmax"), Math.ceil(blocks / 256)),
      code: floats(get("weight.nested_quant_map"), key("weight.nested_quant_map"), 256),
      blocksize: 256,
      dtype: "float32",
    };
    state = new QuantState(quantType, blocksize, shape as number[], dtype, absmaxRaw.data.slice(), code, Math.fround(info.nested_offset), state2);
  }
  return { packed: packedRaw.data.slice(), state };
}

/**
 * The layout bitsandbytes' Linear8bitLt saves (row-major int8, LLM.int8):
 *
 *   weight         I8  [out, in]   codes CB
 *   SCB            F32 [out]       per-row absmax
 *   weight_format  U8  []          0 = "row" (older col32/turing/ampere layouts are refused, as bitsandbytes does)
 */
export const INT8_STATE_KEYS = ["weight", "SCB", "weight_format"] as const;

/** Rebuilds an int8 weight of `shape` (out, in) from its entries (keys relative to the module). `where` names the module. */
export function int8StateFromDict(entries: Map<string, QuantRaw>, where: string, shape: [number, number]): Int8Rows {
  const [rows, cols] = shape;
  const w = entries.get("weight");
  const scb = entries.get("SCB");
  if (!w || !scb) throw new Error(`[quant] "${where}.${w ? "SCB" : "weight"}" is missing from the 8-bit checkpoint; it was saved incompletely — re-save it with save_pretrained`);
  if (w.dtype !== "I8") throw new Error(`[quant] "${where}.weight" is ${w.dtype}; an 8-bit (LLM.int8) weight is stored as I8`);
  if (w.data.byteLength !== rows * cols) throw new Error(`[quant] "${where}.weight" holds ${w.data.byteLength} int8 codes [${w.shape.join(", ")}] but the layer is ${rows} x ${cols}`);
  const format = entries.get("weight_format");
  if (format && (format.data.byteLength < 1 || format.data[0] !== 0)) {
    throw new Error(`[quant] "${where}.weight_format" is ${format.data[0]}; only 0 (row-major) is supported — bitsandbytes itself now refuses the col32/turing/ampere layouts; re-save with a current bitsandbytes`);
  }
  const s = floats(scb, `${where}.SCB`, rows);
  if (s.some((v) => !Number.isFinite(v) || v < 0)) throw new Error(`[quant] "${where}.SCB" holds a negative or non-finite row scale; the checkpoint is corrupt`);
  return { codes: new Int8Array(w.data.slice().buffer), scb: s, rows, cols };
}

export type { QuantType4bit };
