// KVCache: writes in place equal concatenation (strided inputs, batches, growth past the
// capacity), toLayers/from round trip, refusals (gradients, shapes); GPT-2 and Llama
// decoding over a KVCache give the logits of the full sequence, and leave no memory behind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, bufferCache, cat, enableGrad, manualSeed, noGrad, randn, scope } from "../../src/tensor/index.js";
import { KVCache } from "../../src/models/kv_cache.js";
import { GPT2Config } from "../../src/models/gpt2/config.js";
import { GPT2LMHeadModel } from "../../src/models/gpt2/modeling.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import type { PreTrainedModel } from "../../src/models/modeling_utils.js";

/** (B, H, T, D) as the models make it: heads split off a (B, T, H*D) projection, strided. */
function heads(B: number, H: number, T: number, D: number): Tensor {
  return randn([B, T, H, D]).permute(0, 2, 1, 3);
}

test("KVCache: in-place writes equal concatenation, across growth past the capacity, per layer", () => {
  manualSeed(1);
  noGrad(() => scope(() => {
    const cache = new KVCache(2);
    const written: Tensor[][] = [[], []];
    let last: [Tensor, Tensor] | null = null;
    for (const T of [3, 1, 1, 40, 1]) {  // 32-position steps: the 4th write grows the buffers
      const k = heads(2, 3, T, 5), v = heads(2, 3, T, 5);
      written[0].push(k), written[1].push(v);
      last = cache.update(0, k, v);
      cache.update(1, v, k);  // a second layer, its own buffers
    }
    const want = [cat(written[0], 2), cat(written[1], 2)];
    assert.equal(cache.length, 46);
    assert.equal(cache.numLayers, 2);
    assert.deepEqual(last![0].shape, [2, 3, 46, 5]);
    assert.deepEqual(last![0].toFloat32Array(), want[0].toFloat32Array());
    assert.deepEqual(last![1].toFloat32Array(), want[1].toFloat32Array());
    const [k1, v1] = cache.toLayers()[1];
    assert.deepEqual(k1.toFloat32Array(), want[1].toFloat32Array());
    assert.deepEqual(v1.toFloat32Array(), want[0].toFloat32Array());
    const copy = KVCache.from(cache.toLayers(), 4);
    assert.deepEqual(copy.toLayers()[0][1].toFloat32Array(), want[1].toFloat32Array());
    copy.dispose();
    cache.dispose();
  }));
});

test("KVCache: refuses gradients, mismatched shapes and layers", () => {
  manualSeed(2);
  const cache = new KVCache();
  noGrad(() => scope(() => {
    cache.update(0, heads(1, 2, 2, 4), heads(1, 2, 2, 4));
    assert.throws(() => cache.update(0, heads(1, 3, 1, 4), heads(1, 3, 1, 4)), /holds \(B, Hkv, D\) = \(1, 2, 4\)/);
    assert.throws(() => cache.update(0, heads(1, 2, 1, 4), heads(1, 2, 2, 4)), /of one shape/);
    assert.throws(() => cache.update(-1, heads(1, 2, 1, 4), heads(1, 2, 1, 4)), /layer must be a non-negative integer/);
  }));
  enableGrad(() => scope(() => {
    const k = randn([1, 2, 1, 4]);
    k.requiresGrad = true;
    assert.throws(() => cache.update(0, k, heads(1, 2, 1, 4)), /for inference/);
  }));
  cache.dispose();
  assert.throws(() => new KVCache(-1), /reserve/);
});

const families: [string, () => PreTrainedModel, number][] = [
  ["GPT-2", () => new GPT2LMHeadModel(GPT2Config.fromDict({ vocab_size: 40, n_embd: 16, n_layer: 2, n_head: 2, n_positions: 64 })), 2],
  ["Llama (GQA)", () => new LlamaForCausalLM(LlamaConfig.fromDict({ vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2 })), 2],
];

for (const [name, make, layers] of families) {
  test(`${name}: decoding over a KVCache gives the logits of the full sequence, and frees everything`, () => {
    manualSeed(3);
    const model = make().eval();
    const ids = [[3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16]];
    noGrad(() => scope(() => void model.forward({ input_ids: ids })));  // Llama grows its rotary tables once
    const before = bufferCache.liveBytes;
    noGrad(() => scope(() => {
      const full = model.forward({ input_ids: ids }).logits;
      const V = full.shape[2];
      const cache = new KVCache(1);
      const prompt = model.forward({ input_ids: ids.map((r) => r.slice(0, 4)), past_key_values: cache, use_cache: true } as never);
      assert.equal((prompt as { past_key_values?: unknown }).past_key_values, undefined, "the cache is the caller's; no tensors come back");
      assert.equal(cache.numLayers, layers);
      const steps = [prompt.logits.narrow(1, 3, 1)];
      for (let t = 4; t < 7; t++) steps.push(model.forward({ input_ids: ids.map((r) => [r[t]]), past_key_values: cache } as never).logits);
      assert.equal(cache.length, 7);
      const got = cat(steps, 1).toFloat32Array();
      const want = full.narrow(1, 3, 4).contiguous().toFloat32Array();
      assert.equal(got.length, 2 * 4 * V);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `logit ${i}: ${got[i]} vs ${want[i]}`);
      const other = KVCache.from(cache.toLayers().slice(0, 1));
      assert.throws(() => model.forward({ input_ids: [[1], [2]], past_key_values: other } as never), /past_key_values has 1 layers/);
      other.dispose();
      cache.dispose();
    }));
    assert.ok(bufferCache.liveBytes <= before, `${bufferCache.liveBytes - before} bytes still live`);
  });
}
