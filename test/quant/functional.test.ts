// Bit-exactness against bitsandbytes (../shared/fixtures/nf4_basic): NF4 codes and packing,
// absmax, double quantization, dequantized values, the code books, and the serialized state.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { Tensor } from "../../src/tensor/index.js";
import { readSafetensors, type RawTensor } from "../../src/io/safetensors.js";
import { quantize4bit, dequantize4bit, quantizeBlockwise, code4bit, dynamicMap, QuantState, blockScales } from "../../src/quant/functional.js";
import { quantStateToDict, quantStateFromDict, pythonFloat, type QuantRaw } from "../../src/quant/serialize.js";
import { fixturesDir, skipIfMissing } from "../helpers/paths.js";

const dir = path.join(fixturesDir, "nf4_basic");
const skip = skipIfMissing(dir);

function load(): Map<string, RawTensor> {
  return readSafetensors(path.join(dir, "expected.safetensors")).tensors;
}
function f32(r: RawTensor): Float32Array {
  assert.equal(r.dtype, "F32");
  return new Float32Array(r.data.slice().buffer);
}
function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(a[i] === 0 && b[i] === 0)) bad++;
  assert.equal(bad, 0, `${what}: ${bad} of ${a.length} values differ`);
}
function weight(e: Map<string, RawTensor>): Tensor {
  const w = e.get("w.weight")!;
  return Tensor.fromTypedArray(f32(w), w.shape);
}

test("code books equal bitsandbytes' NF4 table and signed dynamic map", { skip }, () => {
  const e = load();
  sameBits(code4bit("nf4"), f32(e.get("nf4_code")!), "nf4_code");
  sameBits(dynamicMap(), f32(e.get("dynamic_code")!), "dynamic_code");
  const fp4 = code4bit("fp4");
  assert.deepEqual(Array.from(fp4).map((v) => +v.toFixed(4) + 0), [0, 0.0052, 0.6667, 1, 0.3333, 0.5, 0.1667, 0.25, 0, -0.0052, -0.6667, -1, -0.3333, -0.5, -0.1667, -0.25]);
});

test("NF4 without double quantization: packed bytes, codes, absmax, dequantized values bit-exact", { skip }, () => {
  const e = load();
  const [packed, state] = quantize4bit(weight(e), { quant_type: "nf4", blocksize: 64 });
  assert.deepEqual(packed.shape, e.get("w.packed")!.shape);
  assert.deepEqual(Buffer.from(packed.data as Uint8Array), Buffer.from(e.get("w.packed")!.data));
  const codes = e.get("w.codes")!.data;
  const p = packed.data as Uint8Array;
  for (let i = 0; i < codes.length; i++) if (((p[i >> 1] >> (i & 1 ? 0 : 4)) & 15) !== codes[i]) assert.fail(`code ${i}`);
  sameBits(state.absmax as Float32Array, f32(e.get("w.absmax")!), "absmax");
  sameBits(dequantize4bit(packed, state).toFloat32Array(), f32(e.get("w.dequant_no_double_quant")!), "dequant");
});

test("double quantization: offset, 8-bit absmax codes, nested absmax and final weights bit-exact", { skip }, () => {
  const e = load();
  const [packed, state] = quantize4bit(weight(e), { quant_type: "nf4", blocksize: 64, compress_statistics: true });
  const wantOffset = f32(e.get("w.dq.offset")!)[0];
  // The mean is summed in torch's order (torchSumF32), so even its last bit matches.
  assert.equal(state.offset, wantOffset);
  // With the stored offset, the 8-bit codes are exact.
  const absmax = f32(e.get("w.absmax")!);
  const shifted = absmax.map((a) => Math.fround(a - wantOffset));
  const { q, absmax: nested } = quantizeBlockwise(shifted, { blocksize: 256 });
  assert.deepEqual(Buffer.from(q), Buffer.from(e.get("w.dq.absmax_q")!.data));
  sameBits(nested, f32(e.get("w.dq.nested_absmax")!), "nested_absmax");
  const fixed = new QuantState("nf4", 64, state.shape, "float32", q, state.code, wantOffset, { ...state.state2!, absmax: nested });
  sameBits(blockScales(fixed), f32(e.get("w.dq.absmax_dequant")!), "absmax_dequant");
  sameBits(dequantize4bit(packed, fixed).toFloat32Array(), f32(e.get("w.dequant")!), "dequant");
  assert.deepEqual(Buffer.from(state.absmax as Uint8Array), Buffer.from(q));
  sameBits(dequantize4bit(packed, state).toFloat32Array(), f32(e.get("w.dequant")!), "dequant, own offset");
});

test("serialized state: the keys, dtypes, shapes and bytes bitsandbytes writes", { skip }, () => {
  const e = load();
  const [packed, state] = quantize4bit(weight(e), { quant_type: "nf4", blocksize: 64, compress_statistics: true });
  const wantOffset = f32(e.get("w.dq.offset")!)[0];
  const exact = new QuantState("nf4", 64, state.shape, "float32", quantizeBlockwise(f32(e.get("w.absmax")!).map((a) => Math.fround(a - wantOffset)), { blocksize: 256 }).q, state.code, wantOffset, state.state2);
  const dict = quantStateToDict(packed.data as Uint8Array, exact);
  const wantKeys = [...e.keys()].filter((k) => k.startsWith("w.bnb.")).map((k) => k.slice("w.bnb.".length)).sort();
  assert.deepEqual([...dict.keys()].sort(), wantKeys);
  for (const [k, r] of dict) {
    const want = e.get(`w.bnb.${k}`)!;
    assert.equal(r.dtype, want.dtype, k);
    assert.deepEqual(r.shape, want.shape, k);
    assert.deepEqual(Buffer.from(r.data), Buffer.from(want.data), `${k}: ${new TextDecoder().decode(r.data).slice(0, 200)}`);
  }
  // And back: the fixture's serialized state loads and dequantizes to the fixture's weight.
  const entries = new Map<string, QuantRaw>();
  for (const k of wantKeys) entries.set(k, e.get(`w.bnb.${k}`)! as QuantRaw);
  const back = quantStateFromDict(entries, "w");
  sameBits(dequantize4bit(back.packed, back.state).toFloat32Array(), f32(e.get("w.dequant")!), "loaded dequant");
});

test("a corrupt serialized state is refused with the key named", { skip }, () => {
  const e = load();
  const entries = new Map<string, QuantRaw>();
  for (const [k, r] of e) if (k.startsWith("w.bnb.")) entries.set(k.slice(6), r as QuantRaw);
  const truncated = new Map(entries);
  truncated.set("weight", { ...entries.get("weight")!, data: entries.get("weight")!.data.subarray(0, 100) });
  assert.throws(() => quantStateFromDict(truncated, "layer"), /"layer\.weight" holds 100 bytes/);
  const badJson = new Map(entries);
  badJson.set("weight.quant_state.bitsandbytes__nf4", { dtype: "U8", shape: [5], data: new TextEncoder().encode('{"x"') });
  assert.throws(() => quantStateFromDict(badJson, "layer"), /not UTF-8 JSON/);
  const missing = new Map(entries);
  missing.delete("weight.nested_quant_map");
  assert.throws(() => quantStateFromDict(missing, "layer"), /"layer\.weight\.nested_quant_map" is missing/);
});

test("Python float repr as json.dumps writes it", () => {
  assert.equal(pythonFloat(0.14213606715202332), "0.14213606715202332");
  assert.equal(pythonFloat(1), "1.0");
  assert.equal(pythonFloat(1e-5), "1e-05");
  assert.equal(pythonFloat(0.0001), "0.0001");
  assert.equal(pythonFloat(-2.5e-7), "-2.5e-07");
  assert.equal(pythonFloat(1e16), "1e+16");
  assert.equal(pythonFloat(123456.5), "123456.5");
});

test("quantize4bit/dequantize4bit round trip: odd sizes, bf16 input, fp4, error bound", () => {
  const n = 64 * 3 + 7;
  const vals = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 5)));
  for (const quant_type of ["nf4", "fp4"] as const) {
    for (const compress_statistics of [false, true]) {
      const [p, s] = quantize4bit(Tensor.fromTypedArray(vals, [n]), { quant_type, compress_statistics });
      assert.deepEqual(p.shape, [(n + 1) >> 1, 1]);
      const back = dequantize4bit(p, s).toFloat32Array();
      const scales = blockScales(s);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(back[i] - vals[i]) <= 0.17 * scales[Math.floor(i / 64)] + 1e-3, `${quant_type} ${i}: ${back[i]} vs ${vals[i]}`);
    }
  }
  const bf = Tensor.fromTypedArray(vals, [n]).to("bfloat16");
  const [pb, sb] = quantize4bit(bf, { quant_type: "nf4" });
  const [pf] = quantize4bit(bf.to("float32"), { quant_type: "nf4" });
  assert.deepEqual(Buffer.from(pb.data as Uint8Array), Buffer.from(pf.data as Uint8Array));
  assert.equal(sb.dtype, "bfloat16");
  assert.throws(() => quantize4bit(Tensor.fromTypedArray(vals, [n]), { blocksize: 48 }), /blocksize 48 is not supported/);
});
