// Llama: parity with ../shared/fixtures/llama_tiny (full fine-tuning, prefix and prompt tuning),
// then the family contract on tiny random models (GQA, tied and untied heads), and the
// Mistral / Qwen2 variants that load through the same code.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { cat, manualSeed, noGrad } from "../../../src/tensor/index.js";
import { LlamaConfig } from "../../../src/models/llama/config.js";
import { LlamaForCausalLM, LlamaForSequenceClassification } from "../../../src/models/llama/modeling.js";
import { MistralConfig, MistralForCausalLM } from "../../../src/models/mistral/modeling.js";
import { Qwen2Config, Qwen2ForCausalLM } from "../../../src/models/qwen2/modeling.js";
import { AutoConfig, AutoModelForCausalLM } from "../../../src/models/auto.js";
import { fixturesDir, skipIfMissing } from "../../helpers/paths.js";
import { fixture, checkFullCase, checkPrefixCase, checkPromptCase, summarize } from "../decoder_parity.js";
import { assertTrainingLowersLoss, assertCheckpointingSameGradients, assertSaveLoadRoundTrip, assertLogitsToKeep } from "../contract.js";

const FIXTURE = path.join(fixturesDir, "llama_tiny");

test("llama_tiny full: logits, loss and every gradient match transformers", { skip: skipIfMissing(FIXTURE) }, async () => {
  const f = fixture("llama_tiny");
  const model = await LlamaForCausalLM.fromPretrained(f.modelDir, { quiet: true });
  assert.deepEqual(model.loadReport?.newlyInitialized, []);
  const report = checkFullCase(model, f.expected);
  assert.equal(report.grads.size, 21);
  console.log(summarize("llama_tiny", report));
});

test("llama_tiny prefix tuning: unrotated prefix keys, positions after the prefix", { skip: skipIfMissing(FIXTURE) }, async () => {
  const f = fixture("llama_tiny");
  const model = await LlamaForCausalLM.fromPretrained(f.modelDir, { quiet: true });
  const r = checkPrefixCase(model, f.expected, 2, 4);
  console.log(`llama_tiny prefix_tuning: logits ${r.logits.maxAbs.toExponential(2)}, loss ${r.lossErr.toExponential(2)}, grad ${r.grad.maxAbs.toExponential(2)}`);
});

test("llama_tiny prompt tuning: inputs_embeds with virtual tokens", { skip: skipIfMissing(FIXTURE) }, async () => {
  const f = fixture("llama_tiny");
  const model = await LlamaForCausalLM.fromPretrained(f.modelDir, { quiet: true });
  const r = checkPromptCase(model, f.expected, (ids) => model.model.embed_tokens.forward(ids), cat);
  console.log(`llama_tiny prompt_tuning: logits ${r.logits.maxAbs.toExponential(2)}, loss ${r.lossErr.toExponential(2)}, grad ${r.grad.maxAbs.toExponential(2)}`);
});

function tiny(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    vocab_size: 48, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
    max_position_embeddings: 32, pad_token_id: 0, ...extra,
  };
}

const batch = {
  input_ids: [[5, 6, 7, 8, 9, 10], [0, 0, 11, 12, 13, 14]],
  attention_mask: [[1, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1]],
  labels: [[5, 6, 7, 8, 9, 10], [-100, -100, -100, 12, 13, 14]],
};

test("Llama (GQA): a few SGD steps lower the loss", () => {
  manualSeed(1);
  assertTrainingLowersLoss(new LlamaForCausalLM(LlamaConfig.fromDict(tiny())), batch);
});

test("Llama: gradient checkpointing gives the same gradients", () => {
  manualSeed(2);
  const model = new LlamaForCausalLM(LlamaConfig.fromDict(tiny({ attention_dropout: 0.1 })));
  const orig = model.forward.bind(model);
  model.forward = (inputs) => (manualSeed(9), orig(inputs));
  assertCheckpointingSameGradients(model, batch, model.model.layers.at(0));
});

test("Llama: save → load round trip, tied and untied lm_head", async () => {
  for (const tie of [true, false]) {
    manualSeed(3);
    const model = new LlamaForCausalLM(LlamaConfig.fromDict(tiny({ tie_word_embeddings: tie })));
    assert.equal(model.lm_head.param("weight") === model.model.embed_tokens.param("weight"), tie);
    const loaded = await assertSaveLoadRoundTrip(model, (dir) => LlamaForCausalLM.fromPretrained(dir, { quiet: true }), batch);
    assert.equal(loaded.lm_head.param("weight") === loaded.model.embed_tokens.param("weight"), tie);
  }
});

test("Llama: growing the rotary tables keeps the old ones alive for a pending backward", () => {
  manualSeed(8);
  const model = new LlamaForCausalLM(LlamaConfig.fromDict(tiny()));
  const loss = model.forward(batch).loss!;
  // Positions past max_position_embeddings (32) rebuild the tables before the first backward.
  const long = Array.from({ length: 40 }, (_, i) => 1 + (i % 40));
  model.forward({ input_ids: [long], labels: [long] }).loss!.backward();
  loss.backward();
  assert.ok(model.model.embed_tokens.param("weight").grad!.toFloat32Array().every(Number.isFinite));
});

test("Llama: embed_tokens' pad row gets no gradient from the lookup", () => {
  manualSeed(4);
  const model = new LlamaForCausalLM(LlamaConfig.fromDict(tiny()));
  model.forward(batch).loss!.backward();
  const g = model.model.embed_tokens.param("weight").grad!.toFloat32Array();
  assert.ok(g.subarray(0, 16).every((v) => v === 0), "row 0 (pad_token_id) must have no gradient");
  assert.ok(g.subarray(5 * 16, 6 * 16).some((v) => v !== 0));
});

test("Llama: a KV cache gives the logits of the full sequence; generate() agrees with and without it", async () => {
  manualSeed(5);
  const model = new LlamaForCausalLM(LlamaConfig.fromDict(tiny())).eval();
  noGrad(() => {
    const full = model.forward({ input_ids: [[3, 4, 5, 6, 7]] }).logits;
    const first = model.forward({ input_ids: [[3, 4, 5]], use_cache: true } as never) as { past_key_values?: never };
    const next = model.forward({ input_ids: [[6, 7]], past_key_values: first.past_key_values } as never).logits;
    const want = full.narrow(1, 3, 2).contiguous().toFloat32Array();
    const got = next.toFloat32Array();
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(want[i] - got[i]) < 1e-5, `logit ${i}: ${got[i]} vs ${want[i]}`);
  });
  const { generate } = await import("../../../src/generate/index.js");
  const a = generate(model, [[3, 4, 5]], { max_new_tokens: 8, eos_token_id: [] });
  const b = generate(model, [[3, 4, 5]], { max_new_tokens: 8, eos_token_id: [], use_cache: false });
  assert.deepEqual(a, b);
  assert.equal(a[0].length, 11);
});

test("Llama: logits_to_keep computes the head on the kept positions only (transformers' semantics)", () => {
  manualSeed(6);
  assertLogitsToKeep(new LlamaForCausalLM(LlamaConfig.fromDict(tiny())).eval(), batch);
});

test("LlamaForSequenceClassification pools the last non-pad token", () => {
  manualSeed(6);
  const model = new LlamaForSequenceClassification(LlamaConfig.fromDict(tiny({ num_labels: 2 }))).eval();
  const out = noGrad(() => model.forward({ input_ids: [[5, 6, 7, 0, 0]], attention_mask: [[1, 1, 1, 0, 0]] }).logits.toFloat32Array());
  const alone = noGrad(() => model.forward({ input_ids: [[5, 6, 7]] }).logits.toFloat32Array());
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(out[i] - alone[i]) < 1e-5);
  model.train();
  const loss = model.forward({ ...batch, labels: [1, 0] }).loss!;
  assert.ok(Number.isFinite(loss.item()));
});

test("Mistral and Qwen2 configs load through the Llama code", async () => {
  const mistral = AutoConfig.forModel("mistral", tiny({ sliding_window: 4 }));
  assert.ok(mistral instanceof MistralConfig);
  assert.equal(mistral.num_key_value_heads, 2);
  const m = new MistralForCausalLM(mistral);
  assert.deepEqual([...m.stateDict().keys()].filter((k) => k.includes("layers.0.self_attn")).sort(), [
    "model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.o_proj.weight", "model.layers.0.self_attn.q_proj.weight", "model.layers.0.self_attn.v_proj.weight",
  ]);
  noGrad(() => m.forward({ input_ids: [[1, 2, 3, 4]] }));
  assert.throws(() => noGrad(() => m.forward({ input_ids: [[1, 2, 3, 4, 5]] })), /sliding_window = 4/);

  const qwen = AutoConfig.forModel("qwen2", tiny({ tie_word_embeddings: true }));
  assert.ok(qwen instanceof Qwen2Config);
  const q = new Qwen2ForCausalLM(qwen);
  const keys = [...q.stateDict().keys()];
  for (const k of ["q_proj", "k_proj", "v_proj"]) assert.ok(keys.includes(`model.layers.0.self_attn.${k}.bias`), `${k}.bias`);
  assert.ok(!keys.includes("model.layers.0.self_attn.o_proj.bias"));
  manualSeed(7);
  assertTrainingLowersLoss(q, batch);
  const loaded = await assertSaveLoadRoundTrip(q, (dir) => AutoModelForCausalLM.fromPretrained(dir, { quiet: true }) as Promise<Qwen2ForCausalLM>, batch);
  assert.ok(loaded instanceof Qwen2ForCausalLM);
});

test("LlamaConfig derives defaults and checks head counts", () => {
  const c = LlamaConfig.fromDict({ hidden_size: 64, num_attention_heads: 8 });
  assert.equal(c.num_key_value_heads, 8);
  assert.equal(c.head_dim, 8);
  assert.throws(() => LlamaConfig.fromDict({ hidden_size: 64, num_attention_heads: 8, num_key_value_heads: 3 }), /multiple of num_key_value_heads \(3\)/);
  assert.throws(() => new LlamaForCausalLM(LlamaConfig.fromDict({ ...tiny(), rope_scaling: { rope_type: "yarn", factor: 2 } })), /yarn/);
  const l3 = LlamaConfig.fromDict({ ...tiny(), rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 } });
  noGrad(() => new LlamaForCausalLM(l3).forward({ input_ids: [[1, 2, 3]] }));
});
