import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DTYPE_SIZE,
  float32ToRaw,
  loadCheckpointTensors,
  rawToFloat32,
  rawToInt32,
  readSafetensors,
  readSafetensorsHeader,
  readSafetensorsIndex,
  serializeSafetensors,
  writeSafetensors,
  writeShardedSafetensors,
  type RawTensor,
  type SafetensorsDtype,
} from "../../src/io/index.js";
import { fixturesDir, skipIfMissing } from "../helpers/paths.js";

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-st-"));
}

function concat(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** One tensor of every dtype, with odd sizes so that alignment and ordering matter. */
function sampleTensors(): Map<string, RawTensor> {
  const m = new Map<string, RawTensor>();
  m.set("f64", { dtype: "F64", shape: [3], data: bytesOf(new Float64Array([1.5, -0, 1e300])) });
  m.set("f32.matrix", { dtype: "F32", shape: [2, 3], data: bytesOf(new Float32Array([1, 2, 3, 4, 5, -6.25])) });
  m.set("f16", float32ToRaw(new Float32Array([1, -2, 0.5]), [3], "F16"));
  m.set("bf16", float32ToRaw(new Float32Array([1, -2, 3.5, 1e30, -0]), [5], "BF16"));
  m.set("i64", { dtype: "I64", shape: [2], data: bytesOf(new BigInt64Array([-5n, 9007199254740993n])) });
  m.set("i32", { dtype: "I32", shape: [1], data: bytesOf(new Int32Array([-2147483648])) });
  m.set("i16", { dtype: "I16", shape: [3], data: bytesOf(new Int16Array([-32768, 0, 32767])) });
  m.set("i8", { dtype: "I8", shape: [3], data: bytesOf(new Int8Array([-128, 0, 127])) });
  m.set("u8", { dtype: "U8", shape: [1, 3], data: new Uint8Array([0, 128, 255]) });
  m.set("bool", { dtype: "BOOL", shape: [2], data: new Uint8Array([1, 0]) });
  m.set("scalar", { dtype: "F32", shape: [], data: bytesOf(new Float32Array([7])) });
  m.set("empty", { dtype: "F32", shape: [0, 4], data: new Uint8Array(0) });
  return m;
}

test("round trip: every dtype, buffer and file, header padded and ordered as the reference writer", () => {
  const tensors = sampleTensors();
  const bytes = concat(serializeSafetensors(tensors, { format: "pt", note: "x" }));
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  assert.equal(headerLen % 8, 0);
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString("utf8"));
  // 8-byte dtypes first (I64 before F64 as in the reference enum order), then by name.
  assert.deepEqual(Object.keys(header), ["__metadata__", "i64", "f64", "empty", "f32.matrix", "scalar", "i32", "bf16", "f16", "i16", "i8", "u8", "bool"]);
  const dir = tmpDir();
  const file = path.join(dir, "t.safetensors");
  writeSafetensors(file, tensors, { format: "pt", note: "x" });
  assert.deepEqual(fs.readdirSync(dir), ["t.safetensors"], "no temporary file is left behind");
  assert.deepEqual(new Uint8Array(fs.readFileSync(file)), bytes);
  for (const loaded of [readSafetensors(bytes), readSafetensors(file)]) {
    assert.deepEqual(loaded.metadata, { format: "pt", note: "x" });
    assert.deepEqual([...loaded.tensors.keys()].sort(), [...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      const got = loaded.tensors.get(name)!;
      assert.equal(got.dtype, t.dtype, name);
      assert.deepEqual(got.shape, t.shape, name);
      assert.deepEqual(got.data, t.data, name);
    }
  }
  const header2 = readSafetensorsHeader(file);
  assert.deepEqual(header2.tensors.get("f32.matrix"), { dtype: "F32", shape: [2, 3], byteLength: 24 });
  // Tensor data read from a file is aligned, so F32 converts without a copy.
  const f32 = readSafetensors(file).tensors.get("f32.matrix")!;
  assert.equal(rawToFloat32(f32).buffer, f32.data.buffer);
  const bf16 = rawToFloat32(readSafetensors(file).tensors.get("bf16")!);
  assert.deepEqual([...bf16.subarray(0, 3)], [1, -2, 3.5]);
  assert.ok(Math.abs(bf16[3] / 1e30 - 1) < 2 ** -8);
  assert.ok(Object.is(bf16[4], -0));
  fs.rmSync(dir, { recursive: true });
});

test("reads the reference file fixtures/safetensors_dtypes and matches case.json", { skip: skipIfMissing(path.join(fixturesDir, "safetensors_dtypes")) }, () => {
  const dir = path.join(fixturesDir, "safetensors_dtypes");
  const expected = JSON.parse(fs.readFileSync(path.join(dir, "case.json"), "utf8"));
  const file = readSafetensors(path.join(dir, "tensors.safetensors"));
  assert.deepEqual(file.metadata, expected.metadata);
  assert.deepEqual([...file.tensors.keys()].sort(), Object.keys(expected.tensors).sort());
  for (const [name, want] of Object.entries<{ safetensors_dtype: SafetensorsDtype; shape: number[]; values_row_major: (number | string)[] }>(expected.tensors)) {
    const raw = file.tensors.get(name)!;
    assert.equal(raw.dtype, want.safetensors_dtype, name);
    assert.deepEqual(raw.shape, want.shape, name);
    const values = want.values_row_major;
    if (raw.dtype === "I64") {
      const copy = new Uint8Array(raw.data);
      assert.deepEqual([...new BigInt64Array(copy.buffer)], values.map((v) => BigInt(v)), name);
    } else if (raw.dtype === "F64") {
      const copy = new Uint8Array(raw.data);
      const got = [...new Float64Array(copy.buffer)];
      got.forEach((g, i) => assert.ok(Object.is(g, values[i]), `${name}[${i}]: ${g} vs ${values[i]}`));
    } else if (raw.dtype === "I32" || raw.dtype === "U8") {
      assert.deepEqual([...rawToInt32(raw)], values.map(Number), name);
    } else {
      const got = [...rawToFloat32(raw)];
      assert.equal(got.length, values.length);
      got.forEach((g, i) => assert.ok(Object.is(g, values[i]), `${name}[${i}]: ${g} vs ${values[i]}`));
    }
  }
  // I64 values beyond int32 are refused by rawToInt32 with the value in the message.
  assert.throws(() => rawToInt32(file.tensors.get("i64")!, "i64"), /\[safetensors\] rawToInt32\(i64\): I64 value 1099511627776 at index 3 is outside the int32 range/);
  assert.deepEqual([...rawToInt32(file.tensors.get("i64_scalar")!)], [7]);
});

test("float32ToRaw rounds to nearest even, and F16/BF16 decode exactly (all 65,536 patterns round-trip)", () => {
  const bf = (x: number) => new Uint16Array(new Uint8Array(float32ToRaw(new Float32Array([x]), [1], "BF16").data).buffer)[0];
  const hf = (x: number) => new Uint16Array(new Uint8Array(float32ToRaw(new Float32Array([x]), [1], "F16").data).buffer)[0];
  assert.equal(bf(1), 0x3f80);
  assert.equal(bf(1 + 2 ** -8), 0x3f80, "tie rounds to even (down)");
  assert.equal(bf(1 + 3 * 2 ** -8), 0x3f82, "tie rounds to even (up)");
  assert.equal(bf(1 + 2 ** -8 + 2 ** -20), 0x3f81, "above the tie rounds up");
  assert.equal(bf(3.4028234663852886e38), 0x7f80, "max float rounds to +Inf");
  assert.equal(bf(NaN) & 0x7fc0, 0x7fc0);
  assert.equal(hf(65504), 0x7bff);
  assert.equal(hf(65519), 0x7bff);
  assert.equal(hf(65520), 0x7c00, "halfway to 65536 rounds to Inf");
  assert.equal(hf(2 ** -24), 0x0001);
  assert.equal(hf(2 ** -25), 0x0000, "half the smallest subnormal ties to even zero");
  assert.equal(hf(1.5 * 2 ** -24), 0x0002, "subnormal tie rounds to even");
  assert.equal(hf(-0), 0x8000);
  assert.equal(hf(1 + 2 ** -11), 0x3c00);
  assert.equal(hf(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(hf(NaN) & 0x7e00, 0x7e00);
  for (const dtype of ["F16", "BF16"] as const) {
    const all = new Uint16Array(65536).map((_, i) => i);
    const decoded = rawToFloat32({ dtype, shape: [65536], data: bytesOf(all) });
    const again = new Uint16Array(new Uint8Array(float32ToRaw(decoded, [65536], dtype).data).buffer);
    for (let i = 0; i < 65536; i++) {
      if (Number.isNaN(decoded[i])) continue;
      if (again[i] !== i) assert.fail(`${dtype} pattern 0x${i.toString(16)} decoded to ${decoded[i]} re-encoded as 0x${again[i].toString(16)}`);
    }
  }
  assert.throws(() => float32ToRaw(new Float32Array(3), [2, 2], "F32"), /shape \[2, 2\] holds 4 elements but data has 3/);
});

test("conversions from every dtype, unaligned views copied", () => {
  const bytes = concat(serializeSafetensors(sampleTensors()));
  // Shift the file by one byte inside a bigger buffer so every view is misaligned.
  const shifted = new Uint8Array(bytes.byteLength + 1);
  shifted.set(bytes, 1);
  const loaded = readSafetensors(shifted.subarray(1)).tensors;
  assert.deepEqual([...rawToFloat32(loaded.get("f64")!)], [1.5, -0, Infinity]);
  assert.deepEqual([...rawToFloat32(loaded.get("f32.matrix")!)], [1, 2, 3, 4, 5, -6.25]);
  assert.deepEqual([...rawToFloat32(loaded.get("f16")!)], [1, -2, 0.5]);
  assert.deepEqual([...rawToFloat32(loaded.get("i64")!)], [-5, Math.fround(9007199254740992)]);
  assert.deepEqual([...rawToInt32(loaded.get("i16")!)], [-32768, 0, 32767]);
  assert.deepEqual([...rawToInt32(loaded.get("i8")!)], [-128, 0, 127]);
  assert.deepEqual([...rawToFloat32(loaded.get("u8")!)], [0, 128, 255]);
  assert.deepEqual([...rawToInt32(loaded.get("bool")!)], [1, 0]);
  assert.deepEqual([...rawToInt32(loaded.get("i32")!)], [-2147483648]);
  assert.throws(() => rawToInt32(loaded.get("f16")!, "f16"), /\[safetensors\] rawToInt32\(f16\): dtype F16 is floating point; use rawToFloat32/);
  assert.throws(() => rawToInt32(loaded.get("i64")!), /I64 value 9007199254740993 at index 1/);
});

function fileWithHeader(header: unknown, dataBytes: number): Uint8Array {
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const h = Buffer.from(json);
  const out = new Uint8Array(8 + h.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  return out;
}

test("corrupt headers give errors that name the file and the problem", () => {
  const cases: [Uint8Array, RegExp][] = [
    [fileWithHeader({ x: { dtype: "F32", shape: [25], data_offsets: [0, 100] } }, 64), /model\.safetensors: tensor "x" data_offsets \[0, 100\] exceed the data section \(64 bytes\); the file is truncated or corrupt/],
    [fileWithHeader({ x: { dtype: "F32", shape: [2], data_offsets: [0, 12] } }, 12), /tensor "x" \(F32 \[2\]\) needs 8 bytes but data_offsets \[0, 12\] span 12/],
    [fileWithHeader({ x: { dtype: "Q4", shape: [2], data_offsets: [0, 8] } }, 8), /tensor "x" has unknown dtype "Q4"/],
    [fileWithHeader({ x: { dtype: "F8_E4M3", shape: [2], data_offsets: [0, 2] } }, 2), /dtype F8_E4M3, which tunelab does not read/],
    [fileWithHeader({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4), /shape \[-1\]; a shape must be a list of non-negative integers/],
    [fileWithHeader({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] }, y: { dtype: "F32", shape: [1], data_offsets: [2, 6] } }, 8), /overlap the previous tensor/],
    [fileWithHeader({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, 8), /leave a gap after byte 0/],
    [fileWithHeader({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, 8), /tensors cover 4 bytes but the data section has 8/],
    [fileWithHeader({ __metadata__: { a: 1 } }, 0), /__metadata__ value for "a" is 1; metadata values must be strings/],
    [fileWithHeader([1, 2], 0), /header does not start with "\{"/],
    [new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255]), /header length 18446744073709551615 exceeds the 100000000-byte limit/],
    [new Uint8Array([100, 0, 0, 0, 0, 0, 0, 0, 123]), /header length 100 exceeds the file size \(9 bytes\)/],
    [new Uint8Array(5), /5 bytes is too short/],
  ];
  for (const [bytes, pattern] of cases) assert.throws(() => readSafetensors(bytes, { name: "model.safetensors" }), pattern);
  const dup = Buffer.from('{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}');
  const dupFile = new Uint8Array(8 + dup.length + 1);
  new DataView(dupFile.buffer).setBigUint64(0, BigInt(dup.length), true);
  dupFile.set(dup, 8);
  assert.throws(() => readSafetensors(dupFile), /lists "x" twice/);
  assert.throws(() => readSafetensors("/nonexistent/model.safetensors"), /\[safetensors\] \/nonexistent\/model\.safetensors: file not found/);
  const dir = tmpDir();
  const truncated = path.join(dir, "model.safetensors");
  fs.writeFileSync(truncated, concat(serializeSafetensors(sampleTensors())).subarray(0, 200));
  assert.throws(() => readSafetensors(truncated), /model\.safetensors: .*(exceed|cover)/);
  fs.rmSync(dir, { recursive: true });
});

test("sharded checkpoints: write, index, load, re-save cleans stale shards; corrupt indexes refused", () => {
  const dir = tmpDir();
  const tensors = new Map<string, RawTensor>();
  for (let i = 0; i < 5; i++) tensors.set(`layers.${i}.weight`, float32ToRaw(new Float32Array(10).fill(i), [10]));
  tensors.set("big", float32ToRaw(new Float32Array(100), [100]));
  const { files, index } = writeShardedSafetensors(dir, tensors, 100);
  assert.deepEqual(files, ["model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors", "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors"]);
  const indexJson = JSON.parse(fs.readFileSync(index!, "utf8"));
  assert.equal(indexJson.metadata.total_size, 5 * 40 + 400);
  assert.deepEqual(Object.keys(indexJson.weight_map), [...tensors.keys()].sort());
  assert.equal(indexJson.weight_map.big, "model-00004-of-00004.safetensors", "an oversized tensor gets its own shard");
  assert.ok(fs.readFileSync(index!, "utf8").endsWith("}\n"));
  assert.deepEqual(readSafetensors(path.join(dir, files[0])).metadata, { format: "pt" });
  assert.deepEqual(readSafetensorsIndex(dir).files, files);
  const loaded = loadCheckpointTensors(dir);
  assert.deepEqual([...loaded.keys()].sort(), [...tensors.keys()].sort());
  for (const [k, t] of tensors) assert.deepEqual(loaded.get(k)!.data, t.data);

  writeShardedSafetensors(dir, tensors, "1GB");
  assert.deepEqual(fs.readdirSync(dir), ["model.safetensors"], "stale shards and index removed");
  assert.equal(loadCheckpointTensors(dir).size, tensors.size);

  writeShardedSafetensors(dir, tensors, 120);
  fs.rmSync(path.join(dir, "model-00002-of-00003.safetensors"));
  assert.throws(() => loadCheckpointTensors(dir), /lists shard model-00002-of-00003\.safetensors, which is missing/);
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ weight_map: { a: "../../etc/passwd.safetensors" } }));
  assert.throws(() => loadCheckpointTensors(dir), /weight_map\["a"\] is "\.\.\/\.\.\/etc\/passwd\.safetensors"; shard names must be plain/);
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), "{\"weight_map\": {\"a\": ");
  assert.throws(() => loadCheckpointTensors(dir), /\[safetensors\] .*model\.safetensors\.index\.json: invalid JSON at line 1 column 22/);
  fs.writeFileSync(path.join(dir, "model.safetensors.index.json"), JSON.stringify({ weight_map: { ghost: "model-00001-of-00003.safetensors" } }));
  assert.throws(() => loadCheckpointTensors(dir), /missing|"ghost" is mapped to model-00001-of-00003\.safetensors but is in no shard/);
  fs.rmSync(dir, { recursive: true });
});

test("pickle checkpoints are refused with a conversion recipe, never opened", () => {
  const dir = tmpDir();
  fs.writeFileSync(path.join(dir, "pytorch_model.bin"), "\x80\x02not really a pickle");
  fs.writeFileSync(path.join(dir, "config.json"), "{}");
  assert.throws(() => loadCheckpointTensors(dir), (err: Error) => {
    assert.match(err.message, /^\[safetensors\] .*: found pytorch_model\.bin but no model\.safetensors\. tunelab never loads pickle files/);
    assert.match(err.message, /save_pretrained\(dir, safe_serialization=True\)/);
    return true;
  });
  fs.rmSync(path.join(dir, "pytorch_model.bin"));
  assert.throws(() => loadCheckpointTensors(dir), /no model\.safetensors or model\.safetensors\.index\.json \(folder has: config\.json\)/);
  fs.rmSync(dir, { recursive: true });
});

/** Deterministic PRNG (mulberry32) so a failing fuzz case can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test("fuzz: 20,000 mutated, truncated and random inputs either parse or throw a [safetensors] error", () => {
  const rand = rng(1234);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];
  const base = concat(serializeSafetensors(sampleTensors(), { format: "pt" }));
  const headerLen = Number(new DataView(base.buffer).getBigUint64(0, true));
  const weird: unknown[] = [-1, 1.5, 2 ** 53, 1e308, "3", null, [], {}, true, 0, 1, 7, 2 ** 31, -0];
  const dtypes = [...Object.keys(DTYPE_SIZE), "F8_E4M3", "X", "", 3, null];
  const mutate = (): Uint8Array => {
    const kind = int(7);
    if (kind === 0) {
      const out = base.slice();
      for (let k = 1 + int(4); k > 0; k--) out[int(8 + headerLen)] = int(256);
      return out;
    }
    if (kind === 1) return base.slice(0, int(base.length + 1));
    if (kind === 2) {
      const out = base.slice();
      const v = pick([BigInt(int(base.length)), BigInt(headerLen + int(17) - 8), BigInt(2) ** BigInt(int(64)), BigInt(int(2 ** 31))]);
      new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
      return out;
    }
    if (kind === 3) {
      const header: Record<string, unknown> = {};
      for (let k = int(4); k > 0; k--) {
        const shape = Array.from({ length: int(4) }, () => (rand() < 0.8 ? int(5) : pick(weird)));
        const begin = rand() < 0.7 ? int(64) : pick(weird);
        const end = rand() < 0.7 ? int(96) : pick(weird);
        header[pick(["a", "b", "c", "__metadata__"])] = rand() < 0.9 ? { dtype: pick(dtypes), shape, data_offsets: rand() < 0.9 ? [begin, end] : pick(weird) } : pick(weird);
      }
      return fileWithHeader(rand() < 0.95 ? header : pick(weird), int(97));
    }
    if (kind === 4) {
      // Edit the header text in place, keeping its declared length.
      const out = base.slice();
      const text = Buffer.from(out.subarray(8, 8 + headerLen)).toString("latin1").split("");
      for (let k = 1 + int(3); k > 0; k--) text[int(text.length)] = pick(['"', "{", "}", "[", "]", ",", ":", "0", "9", "-", " ", "e", "\\", "\u00ff"]);
      out.set(Buffer.from(text.join(""), "latin1").subarray(0, headerLen), 8);
      return out;
    }
    if (kind === 5) return new Uint8Array(Array.from({ length: int(64) }, () => int(256)));
    const out = base.slice();
    out[8 + headerLen + int(base.length - 8 - headerLen)] ^= 1 << int(8); // data byte flip: must still parse
    return out;
  };
  let parsed = 0;
  let refused = 0;
  const dir = tmpDir();
  const file = path.join(dir, "fuzz.safetensors");
  for (let i = 0; i < 20000; i++) {
    const input = mutate();
    try {
      // Every 40th case goes through the file reader (which reads per tensor) instead of the buffer one.
      if (i % 40 === 0) fs.writeFileSync(file, input);
      const result = i % 40 === 0 ? readSafetensors(file, { name: "fuzz.safetensors" }) : readSafetensors(input, { name: "fuzz.safetensors" });
      for (const t of result.tensors.values()) {
        let numel = 1;
        for (const d of t.shape) numel *= d;
        assert.equal(t.data.byteLength, numel * DTYPE_SIZE[t.dtype]);
        if (i % 40 !== 0) assert.ok(t.data.byteOffset + t.data.byteLength <= input.byteOffset + input.byteLength);
      }
      parsed++;
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith("[safetensors] fuzz.safetensors: ")) {
        assert.fail(`case ${i}: unexpected ${(err as Error)?.stack ?? String(err)}`);
      }
      refused++;
    }
  }
  fs.rmSync(dir, { recursive: true });
  assert.ok(parsed > 500 && refused > 10000, `parsed ${parsed}, refused ${refused}`);
});
