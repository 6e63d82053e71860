// Module.setBuffer: a cache grown on demand (Llama's rotary tables) is replaced without any
// lifetime call in model code; the old tensor lives while a pending graph still reads it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randn } from "../../src/index.js";
import { Module } from "../../src/nn/index.js";
import { LlamaConfig, LlamaRotaryEmbedding } from "../../src/models/index.js";

class Holder extends Module {
  constructor() {
    super();
    this.addBuffer("table", null, false);
  }
}

test("setBuffer keeps the new tensor and releases the old one once backward has read it", () => {
  const h = new Holder();
  h.setBuffer("table", randn([3]));
  const old = h.buffer("table")!;
  const values = old.toFloat32Array();
  const x = randn([3]).setRequiresGrad(true);
  const y = x.mul(old); // saves `old` for x's gradient
  h.setBuffer("table", randn([4]));
  assert.equal(h.buffer("table")!.shape[0], 4);
  assert.equal(h.buffer("table")!.persistent, true);
  assert.equal(old.isFreed, false, "the graph still reads it");
  y.sum().backward();
  assert.deepEqual(Array.from(x.grad!.toFloat32Array()), Array.from(values));
  assert.equal(old.isFreed, true, "released once backward is done");
  assert.equal(h.stateDict().size, 0, "a non-persistent buffer is not saved");
  assert.throws(() => h.setBuffer("tabel", null), /has no buffer "tabel"; its buffers are table/);
});

test("Llama's rotary tables grow through setBuffer; an unused old table is freed at once", () => {
  const rope = new LlamaRotaryEmbedding(LlamaConfig.fromDict({ hidden_size: 8, num_attention_heads: 2, max_position_embeddings: 4 }));
  const small = rope.tables(4).cos;
  const big = rope.tables(10).cos;
  assert.equal(big.shape[0], 10);
  assert.equal(small.isFreed, true);
  assert.equal(rope.tables(7).cos, big, "a large enough table is reused");
});
