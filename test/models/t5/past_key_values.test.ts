// T5Model (the bare encoder-decoder) and the decoder's past_key_values: a prefix of P
// positions given as keys/values equals running those tokens, the relative-position bias of
// the new queries uses absolute positions (P + i) as transformers slices it, batch-1 prompts
// broadcast over the batch (prefix tuning), gradients reach the past, and cached greedy
// decoding equals full recomputation.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Tensor, manualSeed, noGrad, scope, randn } from "../../../src/tensor/index.js";
import { T5Config } from "../../../src/models/t5/config.js";
import { T5Model, T5ForConditionalGeneration, T5EncoderModel } from "../../../src/models/t5/modeling.js";
import { AutoModel } from "../../../src/models/auto.js";
import type { PastKeyValues } from "../../../src/models/decoder_utils.js";
import { generate } from "../../../src/generate/index.js";
import { assertClose } from "../../helpers/close.js";
import { gradcheck } from "../../helpers/gradcheck.js";
import { gradients } from "../contract.js";

function tiny(extra: Record<string, unknown> = {}): T5Config {
  return T5Config.fromDict({
    vocab_size: 24, d_model: 8, d_kv: 4, d_ff: 12, num_layers: 2, num_decoder_layers: 3, num_heads: 2,
    relative_attention_num_buckets: 8, relative_attention_max_distance: 16, dropout_rate: 0, ...extra,
  });
}

const encoder = { input_ids: [[3, 4, 5, 6, 1], [7, 8, 1, 0, 0]], attention_mask: [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]] };
const decoderIds = [[0, 9, 10, 11, 12, 13, 14], [0, 12, 5, 7, 2, 3, 4]];

function closeTo(actual: Float32Array, expected: Float32Array, what: string, tol = 1e-5): void {
  assertClose(actual, expected, tol, tol, what);
}

/** Rows [from, to) of every (B, T, ...) sequence in ids. */
const slice = (ids: number[][], from: number, to?: number) => ids.map((r) => r.slice(from, to));

/** logits (B, T, V) restricted to positions [from, T). */
function tail(t: Tensor, from: number): Float32Array {
  return t.narrow(1, from, t.shape[1] - from).contiguous().toFloat32Array();
}

test("T5Model returns T5ForConditionalGeneration's decoder and encoder hidden states", () => {
  manualSeed(1);
  const lm = new T5ForConditionalGeneration(tiny()).eval();
  const base = new T5Model(tiny()).eval();
  const report = base.loadStateDict(new Map([...lm.stateDict()].filter(([k]) => k !== "lm_head.weight")), { strict: true });
  assert.deepEqual(report.missingKeys, []);
  assert.equal(base.decoder.embed_tokens.weight, base.shared.param("weight"));
  noGrad(() => {
    const want = lm.forward({ ...encoder, decoder_input_ids: decoderIds });
    const got = base.forward({ ...encoder, decoder_input_ids: decoderIds });
    assert.deepEqual(got.last_hidden_state!.shape, [2, 7, 8]);
    assert.deepEqual(got.last_hidden_state!.toFloat32Array(), want.last_hidden_state!.toFloat32Array());
    assert.deepEqual(got.encoder_last_hidden_state!.toFloat32Array(), want.encoder_last_hidden_state!.toFloat32Array());
    assert.equal(got.logits, got.last_hidden_state, "logits repeats last_hidden_state, as the other base models do");
  });
  assert.throws(() => base.forward({ ...encoder, labels: decoderIds }), /\[T5Model\] pass decoder_input_ids/);
});

test("AutoModel loads a T5ForConditionalGeneration checkpoint as T5Model", async () => {
  manualSeed(2);
  const lm = new T5ForConditionalGeneration(tiny()).eval();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-t5model-"));
  try {
    lm.savePretrained(dir);
    const base = await AutoModel.fromPretrained(dir, { quiet: true });
    assert.ok(base instanceof T5Model);
    assert.deepEqual(base.loadReport?.newlyInitialized, []);
    assert.deepEqual(base.loadReport?.unexpectedKeys, []);
    noGrad(() => {
      const want = lm.forward({ ...encoder, decoder_input_ids: decoderIds }).last_hidden_state!.toFloat32Array();
      assert.deepEqual(base.forward({ ...encoder, decoder_input_ids: decoderIds }).last_hidden_state!.toFloat32Array(), want);
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("relative-position bias with past keys: queries sit at absolute positions P + i", () => {
  manualSeed(3);
  const model = new T5ForConditionalGeneration(tiny());
  const attn = model.decoder.block.at(0).relativeAttention;
  noGrad(() => {
    const full = attn.computeBias(7, 7); // (1, H, 7, 7)
    const last3 = attn.computeBias(3, 7); // the 3 queries after 4 past positions
    assert.deepEqual(last3.shape, [1, 2, 3, 7]);
    assert.deepEqual(last3.toFloat32Array(), full.narrow(2, 4, 3).contiguous().toFloat32Array());
  });
});

for (const P of [1, 3]) {
  test(`past_key_values of the first ${P} decoder tokens equal running them (logits of the rest)`, () => {
    manualSeed(4);
    for (const model of [new T5ForConditionalGeneration(tiny()), new T5ForConditionalGeneration(tiny({ feed_forward_proj: "gated-gelu", tie_word_embeddings: false }))]) {
      model.eval();
      noGrad(() => {
        const full = model.forward({ ...encoder, decoder_input_ids: decoderIds }).logits;
        const prefix = model.forward({ ...encoder, decoder_input_ids: slice(decoderIds, 0, P), use_cache: true });
        const past = prefix.past_key_values!;
        assert.equal(past.length, 3, "one [key, value] per decoder layer");
        assert.deepEqual(past[0][0].shape, [2, 2, P, 4]);
        const rest = model.forward({ ...encoder, decoder_input_ids: slice(decoderIds, P), past_key_values: past });
        closeTo(rest.logits.toFloat32Array(), tail(full, P), `logits after ${P} past positions`);
        // A decoder mask over the new tokens only, or over past + new, both mean "all attend".
        const masked = model.forward({ ...encoder, decoder_input_ids: slice(decoderIds, P), past_key_values: past, decoder_attention_mask: slice(decoderIds, P).map((r) => r.map(() => 1)) });
        closeTo(masked.logits.toFloat32Array(), tail(full, P), "with a (B, L) decoder mask");
        const maskedAll = model.forward({ ...encoder, decoder_input_ids: slice(decoderIds, P), past_key_values: past, decoder_attention_mask: decoderIds.map((r) => r.map(() => 1)) });
        closeTo(maskedAll.logits.toFloat32Array(), tail(full, P), "with a (B, P + L) decoder mask");
      });
    }
  });
}

test("past_key_values with a batch of 1 broadcast over the batch (prefix tuning's prompts)", () => {
  manualSeed(5);
  const model = new T5Model(tiny()).eval();
  const prompt = [[0, 9, 10]];
  const rows = [[11, 12], [5, 7]];
  noGrad(() => {
    const enc = model.encode({ input_ids: [[3, 4, 5, 6, 1], [3, 4, 5, 6, 1]] });
    const past = model.forward({ encoder_outputs: enc.narrow(0, 0, 1), decoder_input_ids: prompt, use_cache: true }).past_key_values!;
    assert.equal(past[0][0].shape[0], 1);
    const got = model.forward({ encoder_outputs: enc, decoder_input_ids: rows, past_key_values: past }).last_hidden_state!;
    const want = model.forward({ encoder_outputs: enc, decoder_input_ids: rows.map((r) => [...prompt[0], ...r]) }).last_hidden_state!;
    closeTo(got.toFloat32Array(), tail(want, 3), "hidden states after a broadcast prefix");
  });
  assert.throws(() => noGrad(() => model.forward({ ...encoder, decoder_input_ids: rows, past_key_values: [] as unknown as PastKeyValues })), /past_key_values has 0 layers but the decoder has num_decoder_layers = 3/);
});

test("gradients reach past keys/values (finite differences), with and without checkpointing", () => {
  manualSeed(6);
  const model = new T5ForConditionalGeneration(tiny({ feed_forward_proj: "gelu", num_decoder_layers: 2 }));
  const pastOf = () => [0, 1].map(() => [randn([1, 2, 2, 4]).setRequiresGrad(true), randn([1, 2, 2, 4]).setRequiresGrad(true)] as [Tensor, Tensor]);
  const past = pastOf();
  const f = () => model.forward({ ...encoder, decoder_input_ids: [[0, 9, 10], [0, 12, 5]], past_key_values: past }).logits;
  gradcheck(f, [past[0][0], past[1][1]], { eps: 2e-3, atol: 3e-3, rtol: 2e-2 });
  for (const [k, v] of past) (k.grad?.dispose(), v.grad?.dispose(), (k.grad = null), (v.grad = null));
  for (const p of model.parameters()) (p.grad?.dispose(), (p.grad = null));

  // Training mode (dropout on, replayed by checkpointing): the prompt's gradients agree.
  const dropModel = new T5ForConditionalGeneration(tiny({ dropout_rate: 0.1, num_decoder_layers: 2 }));
  const batch = { ...encoder, labels: [[9, 10, 11, 1], [12, 1, -100, -100]], past_key_values: past };
  const promptGrads = (ckpt: boolean) => {
    dropModel.gradientCheckpointing = ckpt;
    gradients(dropModel, batch, (b) => (manualSeed(10), dropModel.forward(b)));
    const out = past.flat().map((t) => t.grad!.toFloat32Array());
    for (const t of past.flat()) (t.grad?.dispose(), (t.grad = null));
    return out;
  };
  const plain = promptGrads(false);
  const ckpt = promptGrads(true);
  plain.forEach((g, i) => closeTo(ckpt[i], g, `prompt tensor ${i} gradient with checkpointing`));
  assert.ok(plain.some((g) => g.some((x) => x !== 0)), "the prompt got a zero gradient");
});

test("use_cache returns the decoder's keys/values; cached decoding equals full recomputation", () => {
  manualSeed(7);
  const model = new T5ForConditionalGeneration(tiny()).eval();
  noGrad(() => {
    const full = model.forward({ ...encoder, decoder_input_ids: decoderIds }).logits;
    let past: PastKeyValues | undefined;
    const steps: Float32Array[] = [];
    const enc = model.encode(encoder);
    for (let t = 0; t < decoderIds[0].length; t++) {
      const out = model.forward({ encoder_outputs: enc, attention_mask: encoder.attention_mask, decoder_input_ids: slice(decoderIds, t, t + 1), past_key_values: past, use_cache: true });
      assert.equal(out.past_key_values![0][0].shape[2], t + 1);
      past = out.past_key_values;
      steps.push(out.logits.toFloat32Array());
    }
    const V = 24;
    const want = full.toFloat32Array();
    for (let t = 0; t < steps.length; t++) {
      for (let b = 0; b < 2; b++) {
        closeTo(steps[t].subarray(b * V, (b + 1) * V), want.subarray((b * 7 + t) * V, (b * 7 + t + 1) * V), `step ${t} row ${b}`);
      }
    }
  });
});

test("generate on T5: encoder once, decoder from decoder_start_token_id; cache equals recomputation", () => {
  manualSeed(8);
  const model = new T5ForConditionalGeneration(tiny({ decoder_start_token_id: 0 }));
  model.train();
  const ids = [[3, 4, 5, 6, 1], [7, 8, 9, 10, 1]];
  const cached = scope(() => generate(model, ids, { max_new_tokens: 6, eos_token_id: [] }));
  const full = scope(() => generate(model, ids, { max_new_tokens: 6, eos_token_id: [], use_cache: false }));
  assert.deepEqual(cached, full);
  assert.equal(model.training, true, "generate restores training mode");
  assert.equal(cached[0].length, 7);
  assert.ok(cached.every((r) => r[0] === 0), "sequences start with decoder_start_token_id");
  // Greedy by hand: each token is the argmax of a full forward over the tokens so far.
  noGrad(() => {
    model.eval();
    const dec = [[0], [0]];
    for (let t = 0; t < 6; t++) {
      const logits = model.forward({ input_ids: ids, decoder_input_ids: dec }).logits;
      const [, T, V] = logits.shape;
      const last = logits.narrow(1, T - 1, 1).contiguous().toFloat32Array();
      dec.forEach((r, b) => r.push(argmax(last.subarray(b * V, (b + 1) * V))));
    }
    assert.deepEqual(cached, dec);
  });
  assert.throws(() => generate(new T5EncoderModel(tiny()), ids), /T5EncoderModel is an encoder-decoder model without a decoder/);
});

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

