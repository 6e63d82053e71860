// GGUF export, checked by llama.cpp itself (node-llama-cpp's prebuilt binary, CPU only,
// never built or downloaded here): stories260K in f32, f16 and q8_0 continues "Once upon a
// time" exactly as tunelab does, with llama.cpp's own tokenization of the prompt; q4_0 agrees
// on most of it. A random Llama with an untied head checks grouped-query attention and output.weight.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { getLlama, type Llama } from "node-llama-cpp";
import { manualSeed } from "../../src/tensor/index.js";
import { f16ToNumber } from "../../src/tensor/dtype.js";
import { AutoModelForCausalLM } from "../../src/models/auto.js";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { generate } from "../../src/generate/generate.js";
import { exportGguf, permuteRotary, type GgufOuttype } from "../../src/export/gguf.js";
import { encodeTensor } from "../../src/export/gguf_quant.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-gguf-"));
let llamaCpp: Llama | null = null;
after(async () => {
  await llamaCpp?.dispose();
  fs.rmSync(tmpRoot, { recursive: true, force: true });
});

/** llama.cpp's prebuilt CPU binary; "never" build: a missing binary fails instead of compiling. */
async function llama(): Promise<Llama> {
  llamaCpp ??= await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, progressLogs: false, logLevel: "error" as never });
  return llamaCpp;
}

/** Greedy tokens llama.cpp generates after `ids` (temperature 0). */
async function llamaCppGreedy(file: string, ids: number[], maxNew: number): Promise<{ tokens: number[]; tokenize: (text: string) => number[]; detokenize: (ids: number[]) => string; dispose: () => Promise<void> }> {
  const model = await (await llama()).loadModel({ modelPath: file, gpuLayers: 0 });
  const context = await model.createContext({ contextSize: 128, batchSize: 32, threads: 1 });
  const out: number[] = [];
  for await (const token of context.getSequence().evaluate(ids as never, { temperature: 0 })) {
    out.push(token as number);
    if (out.length >= maxNew) break;
  }
  return {
    tokens: out,
    tokenize: (text) => [...model.tokenize(text)].map(Number),
    detokenize: (t) => model.detokenize(t as never),
    dispose: async () => {
      await context.dispose();
      await model.dispose();
    },
  };
}

test("permuteRotary moves each head's two halves into interleaved pairs", () => {
  // 1 head of dim 4, 1 column: rows [a0 a1 b0 b1] → [a0 b0 a1 b1].
  assert.deepEqual(Array.from(permuteRotary(Float32Array.of(0, 1, 2, 3), 4, 1, 1)), [0, 2, 1, 3]);
  assert.deepEqual(Array.from(permuteRotary(Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7), 8, 1, 2)), [0, 2, 1, 3, 4, 6, 5, 7]);
});

test("q8_0 and q4_0 blocks hold an f16 scale and the rounded values ggml's reference quantizers give", () => {
  const x = Float32Array.from({ length: 32 }, (_, i) => (i - 10) / 4);
  const q8 = encodeTensor(x, "Q8_0");
  assert.equal(q8.length, 34);
  const v8 = new DataView(q8.buffer);
  const d8 = 5.25 / 127;
  assert.ok(Math.abs(f16ToNumber(v8.getUint16(0, true)) - d8) < 1e-4 * d8 * 10);
  assert.equal(v8.getInt8(2 + 31), 127);
  assert.equal(v8.getInt8(2 + 0), -60); // -2.5 / d8 = -60.48
  const q4 = encodeTensor(x, "Q4_0");
  assert.equal(q4.length, 18);
  // The largest magnitude (5.25 at i = 31) maps to -8 (nibble 0); 0 maps to 8.
  assert.equal(q4[2 + 15] >> 4, 0);
  assert.equal(q4[2 + 10] & 15, 8);
  assert.throws(() => encodeTensor(new Float32Array(20), "Q8_0"), /multiple of 32/);
});

const stories = path.join(datasetsDir, "stories260k", "hf");
const PROMPT = "Once upon a time";
const NEW = 24;

for (const outtype of ["f32", "f16", "q8_0", "q4_0"] as GgufOuttype[]) {
  test(`llama.cpp continues stories260K exported as ${outtype} as tunelab does`, { skip: !process.env.CI && skipIfMissing(stories) }, async () => {
    const model = await AutoModelForCausalLM.fromPretrained(stories);
    const tokenizer = await AutoTokenizer.fromPretrained(stories);
    const file = path.join(tmpRoot, `stories-${outtype}.gguf`);
    const r = await exportGguf(model, file, { outtype, tokenizer });
    assert.ok(r.tensors.some((t) => t.type === { f32: "F32", f16: "F16", q8_0: "Q8_0", q4_0: "Q4_0" }[outtype]));
    const prompt = tokenizer.encode(PROMPT); // <s> + pieces
    const ours = generate(model, [prompt], { max_new_tokens: NEW, eos_token_id: [] })[0].slice(prompt.length);
    const run = await llamaCppGreedy(file, prompt, NEW);
    try {
      assert.deepEqual(run.tokenize(PROMPT), prompt.slice(1), "llama.cpp's tokenization of the prompt (tokenizer.ggml.* metadata)");
      // Merges by score, byte fallback for characters outside the 512 pieces, runs of spaces.
      for (const text of ["The little dog's ball was red, and Tom said: \"Wow!\"", "café naïve 😀 日本", "  two  spaces"]) {
        assert.deepEqual(run.tokenize(text), tokenizer.encode(text).slice(1), `llama.cpp's tokens of ${JSON.stringify(text)}`);
      }
      assert.equal(run.detokenize(ours), tokenizer.decode(ours));
      if (outtype === "q4_0") {
        // 4-bit weights change the logits enough to flip a late near-tie; the start must still agree.
        const same = ours.findIndex((t: number, i: number) => run.tokens[i] !== t);
        const agree = same < 0 ? NEW : same;
        assert.ok(agree >= 16, `q4_0 agrees on ${agree} of ${NEW} tokens: llama.cpp "${run.detokenize(run.tokens)}" vs tunelab "${tokenizer.decode(ours)}"`);
      } else {
        assert.deepEqual(run.tokens, ours, `llama.cpp "${run.detokenize(run.tokens)}" vs tunelab "${tokenizer.decode(ours)}"`);
      }
    } finally {
      await run.dispose();
    }
  });
}

test("llama.cpp runs a random Llama with grouped-query attention and an untied head as tunelab does (f32)", { skip: !process.env.CI && skipIfMissing(stories) }, async () => {
  manualSeed(21);
  const model = AutoModelForCausalLM.fromConfig({
    model_type: "llama", vocab_size: 512, hidden_size: 64, intermediate_size: 96, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
    tie_word_embeddings: false, rms_norm_eps: 1e-5, rope_theta: 10000, max_position_embeddings: 128, initializer_range: 0.2,
  });
  const file = path.join(tmpRoot, "random.gguf");
  const r = await exportGguf(model, file, { outtype: "f32", tokenizer: await AutoTokenizer.fromPretrained(stories) });
  assert.ok(r.tensors.some((t) => t.name === "output.weight"));
  const prompt = [1, 17, 33, 300, 71];
  const ours = generate(model, [prompt], { max_new_tokens: 12, eos_token_id: [] })[0].slice(prompt.length);
  const run = await llamaCppGreedy(file, prompt, 12);
  try {
    assert.deepEqual(run.tokens, ours);
  } finally {
    await run.dispose();
  }
});

test("GGUF export refuses what llama.cpp's llama architecture cannot take, naming what is supported", async () => {
  manualSeed(22);
  const gpt2 = AutoModelForCausalLM.fromConfig({ model_type: "gpt2", vocab_size: 8, n_embd: 8, n_layer: 1, n_head: 2 });
  await assert.rejects(exportGguf(gpt2, path.join(tmpRoot, "x.gguf"), {} as never), /GGUF export of GPT2LMHeadModel is not supported; supported classes: LlamaForCausalLM/);
  const biased = AutoModelForCausalLM.fromConfig({ model_type: "llama", vocab_size: 8, hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2, attention_bias: true });
  await assert.rejects(exportGguf(biased, path.join(tmpRoot, "y.gguf"), {} as never), /attention_bias/);
  const plain = AutoModelForCausalLM.fromConfig({ model_type: "llama", vocab_size: 8, hidden_size: 8, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2 });
  await assert.rejects(exportGguf(plain, path.join(tmpRoot, "z.gguf"), { outtype: "q2_k" } as never), /outtype "q2_k" is not supported; supported: f32, f16, q8_0, q4_0/);
  await assert.rejects(exportGguf(plain, path.join(tmpRoot, "z.gguf"), { outtype: "f32" } as never), /needs the tokenizer/);
  assert.equal(fs.existsSync(path.join(tmpRoot, "z.gguf")), false);
});
