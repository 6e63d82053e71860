// Loading costs one copy: a bf16 checkpoint is read one tensor at a time (one reused read
// buffer) and decoded straight into the tensors that become the parameters; the model built
// for it takes no memory before its weights are read.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { bufferCache, manualSeed, randn } from "../../src/index.js";
import { forEachCheckpointTensor, writeShardedSafetensors } from "../../src/io/model_weights.js";
import { float32ToRaw, readSafetensors, writeSafetensors } from "../../src/io/safetensors.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";

function savedBf16Llama(): { dir: string; paramBytes: number; largest: number } {
  manualSeed(0);
  const m = new LlamaForCausalLM(LlamaConfig.fromDict({
    vocab_size: 512, hidden_size: 256, intermediate_size: 688, num_hidden_layers: 3, num_attention_heads: 4,
    num_key_value_heads: 2, max_position_embeddings: 64,
  }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-load-"));
  m.savePretrained(dir);
  // As bf16, in several shards (the index is checked too).
  const bf16 = new Map([...m.stateDictForSave()].map(([k, t]) => [k, float32ToRaw(t.toFloat32Array(), [...t.shape], "BF16")]));
  writeShardedSafetensors(dir, bf16, "1MB");
  const params = m.parameters();
  return { dir, paramBytes: params.reduce((n, p) => n + 4 * p.numel, 0), largest: Math.max(...params.map((p) => 4 * p.numel)) };
}

test("fromPretrained of a bf16 checkpoint allocates the float32 model once (peak live = model + largest tensor)", async () => {
  const { dir, paramBytes, largest } = savedBf16Llama();
  try {
    bufferCache.trim();
    const start = bufferCache.liveBytes;
    bufferCache.resetPeak();
    const m = await LlamaForCausalLM.fromPretrained(dir, { quiet: true });
    const peak = bufferCache.peakLiveBytes - start;
    assert.ok(paramBytes > 4e6, "a checkpoint of a few MB");
    assert.ok(peak <= paramBytes * 1.3 + largest, `peak live ${peak} bytes for a ${paramBytes}-byte float32 model: the checkpoint was converted beside a second copy`);
    assert.equal(m.parameters()[0].dtype, "float32");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("forEachCheckpointTensor reads every shard's tensors through one reused buffer and checks the index", () => {
  const { dir } = savedBf16Llama();
  try {
    const buffers = new Set<ArrayBufferLike>();
    const names: string[] = [];
    forEachCheckpointTensor(dir, (name, raw) => {
      names.push(name);
      buffers.add(raw.data.buffer);
    });
    const shards = fs.readdirSync(dir).filter((f) => f.endsWith(".safetensors"));
    assert.ok(shards.length > 1, "sharded");
    assert.equal(buffers.size, shards.length, "one read buffer per shard, reused for each of its tensors");
    assert.ok(names.includes("model.embed_tokens.weight"));
    const index = path.join(dir, "model.safetensors.index.json");
    const json = JSON.parse(fs.readFileSync(index, "utf8"));
    json.weight_map["model.norm.weight"] = shards.find((s) => s !== json.weight_map["model.norm.weight"]);
    fs.writeFileSync(index, JSON.stringify(json));
    assert.throws(() => forEachCheckpointTensor(dir, () => {}), /model\.norm\.weight" is mapped to .* but found in/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("loading leaves the generator where building the model would have, and draws a missing weight as building would have", async () => {
  const cfg = { vocab_size: 64, hidden_size: 32, intermediate_size: 64, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 32, tie_word_embeddings: false };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-load-"));
  try {
    manualSeed(1);
    const saved = new LlamaForCausalLM(LlamaConfig.fromDict(cfg));
    saved.savePretrained(dir);
    const file = path.join(dir, "model.safetensors");
    const tensors = readSafetensors(file).tensors;
    tensors.delete("lm_head.weight"); // missing from the checkpoint: drawn at load
    writeSafetensors(file, tensors);
    manualSeed(7);
    const built = new LlamaForCausalLM(LlamaConfig.fromDict(cfg));
    const after = randn([8]).toFloat32Array();
    manualSeed(7);
    const loaded = await LlamaForCausalLM.fromPretrained(dir, { quiet: true });
    assert.deepEqual(randn([8]).toFloat32Array(), after, "the generator moved on as if every weight had been drawn");
    assert.deepEqual(loaded.stateDict().get("lm_head.weight")!.toFloat32Array(), built.stateDict().get("lm_head.weight")!.toFloat32Array(), "the missing head has the values it would have had");
    assert.deepEqual(loaded.model.norm.weight.toFloat32Array(), saved.model.norm.weight.toFloat32Array());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
