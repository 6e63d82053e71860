// generate(): greedy with the KV cache equals greedy without it, a batch of prompts of
// different lengths equals each prompt alone (GPT-2, Llama, T5), seeded sampling is
// reproducible and independent of the batch, rows stop at eos (padded after it), options
// are validated, the stream yields generate's tokens, and T5's cross-attention keys/values
// are computed once per request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bufferCache, manualSeed } from "../../src/tensor/index.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { GPT2Config } from "../../src/models/gpt2/config.js";
import { GPT2LMHeadModel } from "../../src/models/gpt2/modeling.js";
import { T5Config } from "../../src/models/t5/config.js";
import { T5ForConditionalGeneration } from "../../src/models/t5/modeling.js";
import type { PreTrainedModel } from "../../src/models/modeling_utils.js";
import { generate, generateStream, BatchDecoder, resolveOptions } from "../../src/generate/index.js";

function llama(): LlamaForCausalLM {
  manualSeed(1);
  return new LlamaForCausalLM(LlamaConfig.fromDict({ vocab_size: 16, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2 }));
}

const families: [string, () => PreTrainedModel][] = [
  ["llama", () => {
    manualSeed(5);
    return new LlamaForCausalLM(LlamaConfig.fromDict({ vocab_size: 40, hidden_size: 16, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, initializer_range: 0.5 }));
  }],
  ["gpt2", () => {
    manualSeed(6);
    return new GPT2LMHeadModel(GPT2Config.fromDict({ vocab_size: 40, n_embd: 16, n_layer: 2, n_head: 2, n_positions: 64, initializer_range: 0.5 }));
  }],
  ["t5", () => {
    manualSeed(7);
    return new T5ForConditionalGeneration(T5Config.fromDict({
      vocab_size: 40, d_model: 16, d_kv: 4, d_ff: 24, num_layers: 2, num_decoder_layers: 2, num_heads: 2,
      relative_attention_num_buckets: 8, relative_attention_max_distance: 16, dropout_rate: 0, decoder_start_token_id: 0, initializer_factor: 4,
    }));
  }],
];

const prompts = [[3, 4, 5, 6, 7, 8, 9], [10, 11], [12, 13, 14, 15], [16]];

for (const [name, make] of families) {
  test(`${name}: greedy with the KV cache equals greedy without it, over a ragged batch`, () => {
    const model = make();
    const cached = generate(model, prompts, { max_new_tokens: 10, eos_token_id: [] });
    const full = generate(model, prompts, { max_new_tokens: 10, eos_token_id: [], use_cache: false });
    assert.deepEqual(cached, full);
    const distinct = new Set(cached.flatMap((r) => r.slice(-10))).size;
    assert.ok(distinct > 2, `a random model should not emit one token everywhere (${distinct} distinct)`);
  });

  test(`${name}: a batch of prompts of different lengths equals each prompt alone; seeded sampling is reproducible`, () => {
    const model = make();
    const opts = { max_new_tokens: 8, eos_token_id: [] };
    const batched = generate(model, prompts, opts);
    prompts.forEach((p, i) => assert.deepEqual(generate(model, [p], opts)[0], batched[i], `prompt ${i} alone`));
    const sampling = { ...opts, do_sample: true, top_k: 0, seed: 11 };
    const sampled = generate(model, prompts, sampling);
    assert.deepEqual(generate(model, prompts, sampling), sampled, "seeded sampling is reproducible");
    assert.notDeepEqual(generate(model, prompts, { ...sampling, seed: 12 }), sampled, "another seed samples other tokens");
  });

  test(`${name}: continuous batching: a prompt joining a running batch decodes as it does alone`, () => {
    const model = make();
    const opts = resolveOptions({ max_new_tokens: 6, eos_token_id: [] }, model.config);
    const alone = prompts.map((p) => generate(model, [p], { max_new_tokens: 6, eos_token_id: [] })[0]);
    const decoder = new BatchDecoder(model);
    const before = bufferCache.liveBytes;
    const [a] = decoder.add([{ ids: prompts[0], options: opts, rng: null }]);
    decoder.step();
    decoder.step();
    const [b, c] = decoder.add([{ ids: prompts[1], options: opts, rng: null }, { ids: prompts[2], options: opts, rng: null }]);
    decoder.step();
    decoder.cancel(c);
    const [d] = decoder.add([{ ids: prompts[3], options: opts, rng: null }]);
    while (decoder.size) decoder.step();
    const encDec = model.config.is_encoder_decoder === true;
    const tail = (row: number[], p: number[]) => row.slice(encDec ? 1 : p.length);
    assert.deepEqual(a.generated, tail(alone[0], prompts[0]));
    assert.deepEqual(b.generated, tail(alone[1], prompts[1]));
    assert.deepEqual(c.generated, tail(alone[2], prompts[2]).slice(0, 1), "a cancelled row stops");
    assert.deepEqual(d.generated, tail(alone[3], prompts[3]));
    assert.ok(bufferCache.liveBytes <= before, `the cache is freed when the batch empties (${bufferCache.liveBytes} > ${before} live bytes)`);
  });
}

test("seeded sampling: the same seed gives the same rows, a row samples the same alone or in a batch", () => {
  const [, make] = families[0];
  const model = make();
  const opts = { max_new_tokens: 12, eos_token_id: [], do_sample: true, temperature: 1.5, top_k: 0, seed: 3, num_return_sequences: 3 };
  const a = generate(model, [prompts[1]], opts);
  assert.deepEqual(generate(model, [prompts[1]], opts), a);
  assert.equal(a.length, 3);
  assert.ok(new Set(a.map((r) => r.join(","))).size > 1, "three samples at temperature 1.5 should not all agree");
  // Row r's stream depends on (seed, r): the first input's rows are the same with another input after them.
  assert.deepEqual(generate(model, [prompts[1], prompts[0]], opts).slice(0, 3), a);
  // Without a seed the global generator seeds it: manualSeed reproduces it.
  manualSeed(99);
  const g1 = generate(model, [prompts[1]], { ...opts, seed: undefined });
  manualSeed(99);
  assert.deepEqual(generate(model, [prompts[1]], { ...opts, seed: undefined }), g1);
  // top_k 1 sampling is greedy.
  assert.deepEqual(generate(model, prompts, { max_new_tokens: 6, eos_token_id: [], do_sample: true, top_k: 1, seed: 1 }), generate(model, prompts, { max_new_tokens: 6, eos_token_id: [] }));
});

test("generate stops at eos and pads finished rows with it", () => {
  const m = llama();
  const free = generate(m, [[3, 4], [5, 6]], { max_new_tokens: 6, eos_token_id: [] });
  const eos = free[0][2]; // the first token row 0 emits
  const out = generate(m, [[3, 4], [5, 6]], { max_new_tokens: 6, eos_token_id: eos });
  assert.deepEqual(out[0].slice(0, 3), [3, 4, eos]);
  assert.ok(out[0].slice(3).every((t) => t === eos), `row 0 after eos: ${out[0].slice(3)}`);
  const stop = free[1].indexOf(eos, 2);
  assert.deepEqual(out[1], stop < 0 ? free[1] : [...free[1].slice(0, stop + 1), ...Array(free[1].length - stop - 1).fill(eos)].slice(0, out[1].length));
  assert.deepEqual(generate(m, [[3, 4]], { max_new_tokens: 6, eos_token_id: eos, pad_token_id: 0 })[0], [3, 4, eos]);
});

test("generate validates its options with the key and the fix, and restores training mode", () => {
  const m = llama().train();
  assert.throws(() => generate(m, [[1, 2]], { do_sample: true, temperature: 0 }), /temperature must be a strictly positive number when do_sample is true, got 0; for greedy decoding set do_sample: false/);
  assert.throws(() => generate(m, [[1, 2]], { do_sample: true, top_p: 1.5 }), /top_p must be in \[0, 1\], got 1.5/);
  assert.throws(() => generate(m, [[1, 2]], { top_k: -1 }), /top_k must be a non-negative integer/);
  assert.throws(() => generate(m, [[1, 2]], { repetition_penalty: 0 }), /repetition_penalty must be a strictly positive number/);
  assert.throws(() => generate(m, [[1, 2]], { num_return_sequences: 2 }), /num_return_sequences = 2 needs do_sample: true/);
  assert.throws(() => generate(m, [[1, 2]], { stop: "x" }), /stop strings need the tokenizer.*pass \{ tokenizer \}/);
  assert.throws(() => generate(m, [[1, 2], []]), /row 1 has no tokens/);
  assert.throws(() => generate(m, [[1, -2]]), /row 0 holds something other than token ids/);
  assert.throws(() => generate(m, [[1, 2]], { max_new_tokens: 0 }), /max_new_tokens must be a positive integer/);
  generate(m, [[1, 2]], { max_new_tokens: 2 });
  assert.equal(m.training, true);
  assert.equal(typeof m.generate, "function");
  assert.deepEqual(m.generate([[1, 2]], { max_new_tokens: 3 }), generate(m, [[1, 2]], { max_new_tokens: 3 }));
});

test("input_ids padded by the caller: attention_mask drops the padding, the row is returned as given", () => {
  const m = llama();
  const plain = generate(m, [[5, 6, 7]], { max_new_tokens: 4, eos_token_id: [] })[0];
  const padded = generate(m, [[0, 0, 5, 6, 7], [1, 2, 3, 4, 5]], { max_new_tokens: 4, eos_token_id: [], attention_mask: [[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]] });
  assert.deepEqual(padded[0], [0, 0, ...plain]);
  assert.throws(() => generate(m, [[1, 2]], { attention_mask: [[1]] }), /attention_mask must have input_ids' shape/);
});

test("the repetition penalty changes greedy decoding (it is a processor, applied without sampling too)", () => {
  const m = families[0][1]();
  const plain = generate(m, [[3, 3, 3]], { max_new_tokens: 12, eos_token_id: [] })[0];
  const penalised = generate(m, [[3, 3, 3]], { max_new_tokens: 12, eos_token_id: [], repetition_penalty: 50 })[0];
  assert.notDeepEqual(penalised, plain);
  const fresh = penalised.slice(3);
  assert.equal(new Set(fresh).size, fresh.length, `a huge penalty makes every new token one not seen before: ${fresh}`);
  assert.ok(!fresh.includes(3));
});

test("generateStream yields generate's tokens, row by row, and the event loop runs between steps", async () => {
  const m = families[1][1]();
  const want = generate(m, prompts, { max_new_tokens: 5, eos_token_id: [] });
  const got = prompts.map((p) => [...p]);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const finished: (string | null)[] = [];
  for await (const chunk of generateStream(m, prompts, { max_new_tokens: 5, eos_token_id: [] })) {
    got[chunk.index].push(chunk.token_id);
    if (chunk.finish_reason) finished[chunk.index] = chunk.finish_reason;
    await new Promise((r) => setTimeout(r, 1));
  }
  clearInterval(timer);
  assert.deepEqual(got, want);
  assert.deepEqual(finished, ["length", "length", "length", "length"]);
  assert.ok(ticks > 0, "a timer fired during the stream");
  // Breaking out early frees the cache.
  const before = bufferCache.liveBytes;
  for await (const chunk of generateStream(m, prompts, { max_new_tokens: 50, eos_token_id: [] })) if (chunk.index === 0) break;
  assert.ok(bufferCache.liveBytes <= before);
});

test("T5: the cross-attention keys/values are computed once per request, not per step", () => {
  const model = families[2][1]() as T5ForConditionalGeneration;
  let projections = 0;
  for (const block of model.decoder.block.items) {
    const crossK = (block.layer.at(1) as unknown as { EncDecAttention: { k: { forward: (x: unknown) => unknown } } }).EncDecAttention.k;
    const fwd = crossK.forward.bind(crossK);
    crossK.forward = (x: unknown) => (projections++, fwd(x));
  }
  generate(model, prompts, { max_new_tokens: 7, eos_token_id: [] });
  assert.equal(projections, model.decoder.block.length, "one cross-attention key projection per decoder layer for the whole request");
});
// A decode step that fails must not strand the KV cache: the kept past (from the steps before)
// and the cache the failing step had already kept are both released.
for (const [what, failure] of [
  ["forward throws", "forward"],
  ["the step's logits cannot be read after its cache was kept", "logits"],
] as const) {
  test(`generate frees the KV cache when the 2nd decode step fails (${what})`, () => {
    const m = llama();
    const forward = m.forward.bind(m);
    let calls = 0;
    m.forward = ((inputs: Parameters<typeof forward>[0]) => {
      if (++calls === 2 && failure === "forward") throw new Error("step 2 failed");
      const out = forward(inputs);
      if (calls === 2) out.logits.dispose(); // nextTokens then throws, after the cache was kept
      return out;
    }) as typeof m.forward;
    generate(m, [[3, 4]], { max_new_tokens: 1 }); // warm the buffer pool
    calls = 0;
    const before = bufferCache.liveBytes;
    assert.throws(() => generate(m, [[3, 4], [5, 6]], { max_new_tokens: 4, eos_token_id: [] }), failure === "forward" ? /step 2 failed/ : /dispos/);
    assert.equal(calls, 2);
    assert.equal(bufferCache.liveBytes, before);
  });
}
