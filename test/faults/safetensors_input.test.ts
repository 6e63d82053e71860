// safetensors input the reference reader (huggingface/safetensors, Rust + serde_json) refuses
// must be refused here too, each with an error naming the file; sizes are bounded before work.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { MAX_TENSORS, readSafetensors } from "../../src/io/safetensors.js";
import { GPT2Config } from "../../src/models/gpt2/config.js";
import { GPT2LMHeadModel } from "../../src/models/gpt2/modeling.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { saveTensors } from "../../src/io/tensors.js";
import { tensor } from "../../src/tensor/index.js";

/** A safetensors file whose header is exactly `headerText` (bytes) followed by `dataBytes` zero bytes. */
function fileWithHeaderText(headerText: string | Uint8Array, dataBytes: number): Uint8Array {
  const header = typeof headerText === "string" ? Buffer.from(headerText, "utf8") : headerText;
  const out = new Uint8Array(8 + header.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  return out;
}

const read = (bytes: Uint8Array) => () => readSafetensors(bytes, { name: "model.safetensors" });

test("the reference's refusals: duplicate field, BOM, 1.0 as an integer, lone surrogates", () => {
  const ok = '{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
  assert.equal(readSafetensors(fileWithHeaderText(ok, 4)).tensors.size, 1);
  const cases: [string | Uint8Array, RegExp][] = [
    ['{"x":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /model\.safetensors: .*lists "dtype" twice/],
    ['{"x":{"dtype":"F32","shape":[1],"shape":[1],"data_offsets":[0,4]}}', /lists "shape" twice/],
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(ok)]), /model\.safetensors: header starts with a byte-order mark/],
    ['{"x":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', /the number 1\.0 is not an integer/],
    ['{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4e0]}}', /the number 4e0 is not an integer/],
    ['{"x\\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /lone leading surrogate/],
    ['{"x\\udc00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /lone trailing surrogate/],
    ['{"__metadata__":{"a":"\\ud800x"},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', /lone leading surrogate/],
    ['{"x":{"dtype":"F32","data_offsets":[0,4]}}', /tensor "x" has no "shape" field/],
    ['{"x":{"shape":[1],"data_offsets":[0,4]}}', /tensor "x" has no "dtype" field/],
    ["[".repeat(1000) + "]".repeat(1000), /does not start with "\{"/],
    ['{"x":' + "[".repeat(500) + "]".repeat(500) + "}", /nesting deeper than 64 levels/],
  ];
  for (const [header, pattern] of cases) assert.throws(read(fileWithHeaderText(header, 4)), pattern, String(header).slice(0, 80));
  // Paired surrogates are a real character and fine; so is leading whitespace (serde_json skips it).
  assert.equal(readSafetensors(fileWithHeaderText('{"x\\ud83d\\ude00":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4)).tensors.has("x\u{1f600}"), true);
  assert.equal(readSafetensors(fileWithHeaderText(" " + ok, 4)).tensors.size, 1);
});

test("a header listing more tensors than MAX_TENSORS is refused before any work on them", () => {
  const n = MAX_TENSORS + 2; // + 1 key is __metadata__'s
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
  const bytes = fileWithHeaderText(`{${parts.join(",")}}`, 0);
  const start = Date.now();
  assert.throws(read(bytes), new RegExp(`model\\.safetensors: .*more than ${MAX_TENSORS + 1} keys`));
  assert.ok(Date.now() - start < 20_000, "refused quickly");
});

test("I32 weights for a float parameter are refused at load, naming the key", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-faults-i32-"));
  const model = new GPT2LMHeadModel(GPT2Config.fromDict({ vocab_size: 16, n_embd: 8, n_head: 2, n_layer: 1, n_positions: 8 }));
  model.savePretrained(dir);
  const state = model.stateDictForSave();
  const wte = state.get("transformer.wte.weight")!;
  state.set("transformer.wte.weight", tensor(new Int32Array(wte.numel), { shape: wte.shape, dtype: "int32" }));
  saveTensors(path.join(dir, "model.safetensors"), state);
  await assert.rejects(() => GPT2LMHeadModel.fromPretrained(dir, { quiet: true }), /weight "transformer\.wte\.weight" holds integers .* parameter is float32/);
  fs.rmSync(dir, { recursive: true });
});

test("config sizes that cannot fit in memory are refused before allocation, naming the key", () => {
  assert.throws(() => LlamaConfig.fromDict({ num_hidden_layers: 1e6, hidden_size: 4096, intermediate_size: 11008 }, "config.json"), /config\.json: num_hidden_layers=1000000, hidden_size=4096 .*more than this machine's/);
  assert.throws(() => GPT2Config.fromDict({ n_embd: 1e9, n_layer: 1, n_head: 1 }, "config.json"), /config\.json: n_layer=1, n_embd=1000000000/);
  assert.throws(() => GPT2Config.fromDict({ n_layer: 2.5 }, "config.json"), /config\.json: n_layer is 2\.5; it must be a non-negative integer/);
  assert.throws(() => GPT2Config.fromDict({ n_embd: 1e12 }, "config.json"), /n_embd is 1000000000000; .*below 2\^31/);
  // Overrides (fromPretrained's config option) are checked too.
  assert.throws(() => GPT2Config.fromDict({ n_embd: 4096, n_head: 32 }).update({ n_layer: 1e7 }), /config overrides: n_layer=10000000/);
});
