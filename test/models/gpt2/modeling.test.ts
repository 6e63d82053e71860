// GPT-2: parity with ../shared/fixtures/gpt2_tiny (full fine-tuning, prefix and prompt tuning
// through past_key_values / inputs_embeds), then the family contract on a tiny random model.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { cat, manualSeed, noGrad, tensor } from "../../../src/tensor/index.js";
import { readSafetensorsHeader } from "../../../src/io/safetensors.js";
import { GPT2Config } from "../../../src/models/gpt2/config.js";
import { GPT2LMHeadModel, GPT2ForSequenceClassification, GPT2Model } from "../../../src/models/gpt2/modeling.js";
import { AutoModelForCausalLM } from "../../../src/models/auto.js";
import { fixturesDir, skipIfMissing } from "../../helpers/paths.js";
import { fixture, checkFullCase, checkPrefixCase, checkPromptCase, summarize } from "../decoder_parity.js";
import { assertTrainingLowersLoss, assertCheckpointingSameGradients, assertSaveLoadRoundTrip, assertLogitsToKeep } from "../contract.js";

const FIXTURE = path.join(fixturesDir, "gpt2_tiny");

test("gpt2_tiny full: logits, loss and every gradient match transformers", { skip: skipIfMissing(FIXTURE) }, async () => {
  const f = fixture("gpt2_tiny");
  const model = await GPT2LMHeadModel.fromPretrained(f.modelDir, { quiet: true });
  assert.deepEqual(model.loadReport?.newlyInitialized, []);
  const report = checkFullCase(model, f.expected);
  assert.equal(report.grads.size, 28);
  console.log(summarize("gpt2_tiny", report));
});

test("gpt2_tiny prefix tuning: past_key_values as a pre-filled cache", { skip: skipIfMissing(FIXTURE) }, async () => {
  const f = fixture("gpt2_tiny");
  const model = await GPT2LMHeadModel.fromPretrained(f.modelDir, { quiet: true });
  const r = checkPrefixCase(model, f.expected, 2, 4);
  console.log(`gpt2_tiny prefix_tuning: logits ${r.logits.maxAbs.toExponential(2)}, loss ${r.lossErr.toExponential(2)}, grad ${r.grad.maxAbs.toExponential(2)}`);
});

test("gpt2_tiny prompt tuning: inputs_embeds with virtual tokens", { skip: skipIfMissing(FIXTURE) }, async () => {
  const f = fixture("gpt2_tiny");
  const model = await GPT2LMHeadModel.fromPretrained(f.modelDir, { quiet: true });
  const r = checkPromptCase(model, f.expected, (ids) => model.transformer.wte.forward(ids), cat);
  console.log(`gpt2_tiny prompt_tuning: logits ${r.logits.maxAbs.toExponential(2)}, loss ${r.lossErr.toExponential(2)}, grad ${r.grad.maxAbs.toExponential(2)}`);
});

test("gpt2_tiny loads through AutoModelForCausalLM", { skip: skipIfMissing(FIXTURE) }, async () => {
  const model = await AutoModelForCausalLM.fromPretrained(path.join(FIXTURE, "model"), { quiet: true });
  assert.ok(model instanceof GPT2LMHeadModel);
});

function tinyConfig(extra: Record<string, unknown> = {}): GPT2Config {
  return GPT2Config.fromDict({ vocab_size: 40, n_embd: 16, n_head: 2, n_layer: 2, n_positions: 16, pad_token_id: 39, ...extra });
}

const batch = {
  input_ids: [[5, 6, 7, 8, 9, 10], [11, 12, 13, 39, 39, 39]],
  attention_mask: [[1, 1, 1, 1, 1, 1], [1, 1, 1, 0, 0, 0]],
  labels: [[5, 6, 7, 8, 9, 10], [11, 12, 13, -100, -100, -100]],
};

test("GPT-2: a few SGD steps lower the loss", () => {
  manualSeed(1);
  assertTrainingLowersLoss(new GPT2LMHeadModel(tinyConfig()), batch);
});

test("GPT-2: gradient checkpointing gives the same gradients (dropout replayed)", () => {
  manualSeed(2);
  const model = new GPT2LMHeadModel(tinyConfig());
  model.train();
  manualSeed(7);
  const a = noGrad(() => model.forward(batch).logits.toFloat32Array());
  manualSeed(7);
  const b = noGrad(() => model.forward(batch).logits.toFloat32Array());
  assert.deepEqual(a, b, "seeded dropout must be reproducible");
  // Seeds fixed per run so both runs draw the same dropout masks.
  const seeded = { ...batch };
  const m = model as GPT2LMHeadModel & { forward: typeof model.forward };
  const orig = m.forward.bind(m);
  m.forward = (inputs) => (manualSeed(11), orig(inputs));
  assertCheckpointingSameGradients(m, seeded, model.transformer.h.at(0));
});

test("GPT-2: save → load gives identical logits; the tied lm_head is saved once", async () => {
  manualSeed(3);
  const model = new GPT2LMHeadModel(tinyConfig());
  let keys: string[] = [];
  await assertSaveLoadRoundTrip(model, async (dir) => {
    keys = [...readSafetensorsHeader(path.join(dir, "model.safetensors")).tensors.keys()];
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).model_type, "gpt2");
    return GPT2LMHeadModel.fromPretrained(dir, { quiet: true });
  }, batch);
  assert.ok(keys.includes("transformer.wte.weight") && !keys.includes("lm_head.weight"), `saved keys: ${keys.join(", ")}`);
});

test("GPT-2: old checkpoints' attn.bias buffers are dropped silently", () => {
  const model = new GPT2Model(tinyConfig());
  const tensors = new Map(model.stateDict());
  tensors.set("h.0.attn.bias", tensor([1]));
  tensors.set("h.0.attn.masked_bias", tensor([1]));
  const report = model.loadPretrainedTensors(tensors, "memory", true);
  assert.deepEqual(report.unexpectedKeys, []);
});

test("GPT-2: a KV cache (use_cache) gives the logits of the full sequence", () => {
  manualSeed(4);
  const model = new GPT2LMHeadModel(tinyConfig()).eval();
  noGrad(() => {
    const full = model.forward({ input_ids: [[3, 4, 5, 6, 7]] }).logits;
    const first = model.forward({ input_ids: [[3, 4, 5, 6]], use_cache: true } as never);
    const next = model.forward({ input_ids: [[7]], past_key_values: (first as { past_key_values?: never }).past_key_values } as never).logits;
    const want = full.narrow(1, 4, 1).contiguous().toFloat32Array();
    const got = next.toFloat32Array();
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(want[i] - got[i]) < 1e-5, `logit ${i}: ${got[i]} vs ${want[i]}`);
  });
});

test("GPT-2: logits_to_keep computes the head on the kept positions only (transformers' semantics)", () => {
  manualSeed(6);
  assertLogitsToKeep(new GPT2LMHeadModel(tinyConfig()).eval(), batch);
});

test("GPT2ForSequenceClassification pools the last non-pad token", () => {
  manualSeed(5);
  const model = new GPT2ForSequenceClassification(tinyConfig({ num_labels: 3 })).eval();
  noGrad(() => {
    const padded = model.forward({ input_ids: batch.input_ids, attention_mask: batch.attention_mask, labels: [2, 0] });
    assert.deepEqual(padded.logits.shape, [2, 3]);
    assert.ok(Number.isFinite(padded.loss!.item()));
    const alone = model.forward({ input_ids: [[11, 12, 13]] }).logits.toFloat32Array();
    const row = padded.logits.toFloat32Array().subarray(3, 6);
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(alone[i] - row[i]) < 1e-5, `label ${i}: ${row[i]} padded vs ${alone[i]} alone`);
  });
  assert.throws(() => new GPT2ForSequenceClassification(tinyConfig({ pad_token_id: null })).forward({ input_ids: batch.input_ids }), /no padding token/);
});

test("GPT2Config checks n_embd against n_head", () => {
  assert.throws(() => GPT2Config.fromDict({ n_embd: 10, n_head: 4 }), /n_embd \(10\) must be divisible by n_head \(4\)/);
});
