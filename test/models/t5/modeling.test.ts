// T5 has no reference fixture: a self-consistency suite. Relative position buckets against
// values worked out by hand from transformers' _relative_position_bucket, relu vs gated
// feed-forward, finite-difference gradients of the whole encoder-decoder, causality and
// padding invariances, the tied-head rescale, save/load, checkpointing and training.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gelu, manualSeed, mul, noGrad, linear, tensor } from "../../../src/tensor/index.js";
import { readSafetensorsHeader } from "../../../src/io/safetensors.js";
import { T5Config } from "../../../src/models/t5/config.js";
import { T5ForConditionalGeneration, shiftRight } from "../../../src/models/t5/modeling.js";
import { T5DenseGatedActDense, T5DenseActDense, relativePositionBucket } from "../../../src/models/t5/layers.js";
import { AutoModelForSeq2SeqLM } from "../../../src/models/auto.js";
import { gradcheck } from "../../helpers/gradcheck.js";
import { assertTrainingLowersLoss, assertCheckpointingSameGradients, assertSaveLoadRoundTrip } from "../contract.js";

function tiny(extra: Record<string, unknown> = {}): T5Config {
  return T5Config.fromDict({
    vocab_size: 24, d_model: 8, d_kv: 4, d_ff: 12, num_layers: 2, num_heads: 2,
    relative_attention_num_buckets: 8, relative_attention_max_distance: 16, dropout_rate: 0, ...extra,
  });
}

const batch = {
  input_ids: [[3, 4, 5, 6, 1], [7, 8, 1, 0, 0]],
  attention_mask: [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]],
  labels: [[9, 10, 11, 1], [12, 1, -100, -100]],
};

test("relative position buckets equal transformers' (bidirectional encoder, causal decoder)", () => {
  // relative position = key − query; 32 buckets, max distance 128.
  const bidirectional: [number, number][] = [[0, 0], [-1, 1], [1, 17], [-7, 7], [7, 23], [-8, 8], [8, 24], [-20, 10], [20, 26], [-200, 15], [200, 31]];
  for (const [rel, want] of bidirectional) assert.equal(relativePositionBucket(rel, true, 32, 128), want, `bidirectional ${rel}`);
  const causal: [number, number][] = [[5, 0], [0, 0], [-5, 5], [-15, 15], [-16, 16], [-20, 17], [-100, 30], [-128, 31], [-1000, 31]];
  for (const [rel, want] of causal) assert.equal(relativePositionBucket(rel, false, 32, 128), want, `causal ${rel}`);
});

test("feed_forward_proj: relu (wi, wo) vs gated-gelu (wi_0, wi_1, wo, gelu_new)", () => {
  manualSeed(1);
  const relu = new T5ForConditionalGeneration(tiny());
  const gated = new T5ForConditionalGeneration(tiny({ feed_forward_proj: "gated-gelu", tie_word_embeddings: false }));
  const keysOf = (m: T5ForConditionalGeneration) => [...m.stateDict().keys()].filter((k) => k.startsWith("encoder.block.0.layer.1.")).sort();
  assert.deepEqual(keysOf(relu), ["encoder.block.0.layer.1.DenseReluDense.wi.weight", "encoder.block.0.layer.1.DenseReluDense.wo.weight", "encoder.block.0.layer.1.layer_norm.weight"]);
  assert.deepEqual(keysOf(gated), [
    "encoder.block.0.layer.1.DenseReluDense.wi_0.weight", "encoder.block.0.layer.1.DenseReluDense.wi_1.weight",
    "encoder.block.0.layer.1.DenseReluDense.wo.weight", "encoder.block.0.layer.1.layer_norm.weight",
  ]);
  const ff = gated.encoder.block.at(0).layer.at(1) as unknown as { DenseReluDense: T5DenseGatedActDense };
  assert.ok(ff.DenseReluDense instanceof T5DenseGatedActDense);
  assert.ok((relu.encoder.block.at(0).layer.at(1) as unknown as { DenseReluDense: unknown }).DenseReluDense instanceof T5DenseActDense);
  const x = tensor(Array.from({ length: 16 }, (_, i) => Math.sin(i)), { shape: [2, 8] });
  noGrad(() => {
    const d = ff.DenseReluDense;
    const want = linear(mul(gelu(linear(x, d.wi_0.param("weight")), "tanh"), linear(x, d.wi_1.param("weight"))), d.wo.param("weight")).toFloat32Array();
    assert.deepEqual(d.forward(x).toFloat32Array(), want);
  });
  assert.throws(() => tiny({ feed_forward_proj: "gated-gelu-x" }), /feed_forward_proj "gated-gelu-x" is not valid/);
});

test("only block 0 holds relative_attention_bias; embeddings are shared", () => {
  const model = new T5ForConditionalGeneration(tiny());
  const keys = [...model.stateDict().keys()];
  assert.deepEqual(keys.filter((k) => k.includes("relative_attention_bias")).sort(), [
    "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
  ]);
  assert.ok(keys.includes("decoder.block.1.layer.1.EncDecAttention.q.weight"));
  assert.ok(keys.includes("decoder.block.1.layer.2.DenseReluDense.wo.weight"));
  assert.equal(model.encoder.embed_tokens.weight, model.shared.param("weight"));
  assert.equal(model.decoder.embed_tokens.weight, model.shared.param("weight"));
  assert.equal(model.lm_head.param("weight"), model.shared.param("weight"));
});

test("labels become decoder inputs shifted right behind decoder_start_token_id, -100 → pad", () => {
  const t = shiftRight(tensor([[9, 10, 11, 1], [12, 1, -100, -100]], { dtype: "int32" }), 0, 0);
  assert.deepEqual(t.tolist(), [[0, 9, 10, 11], [0, 12, 1, 0]]);
});

test("encoder-decoder gradients match finite differences", () => {
  manualSeed(2);
  // Smooth activations: relu's kinks defeat central differences.
  for (const extra of [{ feed_forward_proj: "gelu" }, { feed_forward_proj: "gated-gelu", tie_word_embeddings: false }]) {
    const model = new T5ForConditionalGeneration(tiny({ num_layers: 1, num_decoder_layers: 2, ...extra }));
    const f = () => model.forward(batch).logits;
    const params = model.stateDict();
    const check = [
      "shared.weight", "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", "decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
      "decoder.block.1.layer.1.EncDecAttention.k.weight", "encoder.final_layer_norm.weight", "decoder.block.1.layer.2.layer_norm.weight",
    ];
    for (const name of check) {
      for (const p of model.parameters()) (p.grad?.dispose(), (p.grad = null)); // gradcheck's backward accumulates
      gradcheck(f, [params.get(name)!], { eps: 2e-3, atol: 3e-3, rtol: 2e-2 });
    }
  }
});

test("decoder is causal and encoder padding is ignored", () => {
  manualSeed(3);
  const model = new T5ForConditionalGeneration(tiny()).eval();
  noGrad(() => {
    const a = model.forward({ input_ids: [[3, 4, 5]], decoder_input_ids: [[0, 9, 10, 11]] }).logits.toFloat32Array();
    const b = model.forward({ input_ids: [[3, 4, 5]], decoder_input_ids: [[0, 9, 13, 14]] }).logits.toFloat32Array();
    assert.deepEqual(b.subarray(0, 2 * 24), a.subarray(0, 2 * 24), "changing later decoder tokens changed earlier logits");
    assert.notDeepEqual(b.subarray(2 * 24), a.subarray(2 * 24));
    const padded = model.forward({ input_ids: [[3, 4, 5, 0, 0]], attention_mask: [[1, 1, 1, 0, 0]], decoder_input_ids: [[0, 9, 10, 11]] }).logits.toFloat32Array();
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(padded[i] - a[i]) < 1e-5, `logit ${i}: ${padded[i]} padded vs ${a[i]}`);
  });
});

test("tied lm_head rescales the decoder output by d_model^-0.5", () => {
  manualSeed(4);
  const model = new T5ForConditionalGeneration(tiny()).eval();
  noGrad(() => {
    const out = model.forward({ input_ids: [[3, 4, 5]], decoder_input_ids: [[0, 9]] });
    const want = linear(mul(out.last_hidden_state!, 8 ** -0.5), model.shared.param("weight")).toFloat32Array();
    assert.deepEqual(out.logits.toFloat32Array(), want);
  });
});

test("T5: a few SGD steps lower the loss", () => {
  manualSeed(5);
  assertTrainingLowersLoss(new T5ForConditionalGeneration(tiny({ dropout_rate: 0.1 })), batch, 10, 0.5);
});

test("T5: gradient checkpointing gives the same gradients (encoder and decoder)", () => {
  manualSeed(6);
  const model = new T5ForConditionalGeneration(tiny({ dropout_rate: 0.1 }));
  const orig = model.forward.bind(model);
  model.forward = (inputs) => (manualSeed(10), orig(inputs));
  assertCheckpointingSameGradients(model, batch, model.decoder.block.at(1));
});

test("T5: save → load gives identical logits; shared embeddings saved once", async () => {
  for (const extra of [{}, { feed_forward_proj: "gated-gelu", tie_word_embeddings: false }]) {
    manualSeed(7);
    const model = new T5ForConditionalGeneration(tiny(extra));
    let keys: string[] = [];
    await assertSaveLoadRoundTrip(model, async (dir) => {
      keys = [...readSafetensorsHeader(path.join(dir, "model.safetensors")).tensors.keys()];
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).architectures[0], "T5ForConditionalGeneration");
      return (await AutoModelForSeq2SeqLM.fromPretrained(dir, { quiet: true })) as T5ForConditionalGeneration;
    }, batch);
    assert.ok(keys.includes("shared.weight"));
    assert.ok(!keys.includes("encoder.embed_tokens.weight") && !keys.includes("decoder.embed_tokens.weight"));
    assert.equal(keys.includes("lm_head.weight"), extra.tie_word_embeddings === false);
  }
});
