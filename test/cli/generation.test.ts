// Generation through the CLI: `tunelab predict` for causal LM (greedy completion of a prompt,
// stopping at EOS) and seq2seq (T5: source → generated_text), and `tunelab eval` reporting
// a causal LM's perplexity as exp of the mean loss per scored token. Tiny random models with
// the stories260k tokenizer, then the real pretrained stories260k model.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { manualSeed, noGrad, tensor } from "../../src/tensor/index.js";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { Dataset } from "../../src/data/dataset.js";
import { BadRowLog } from "../../src/data/bad_rows.js";
import { encodeCausalLm } from "../../src/data/formats/causal_lm.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { T5Config } from "../../src/models/t5/config.js";
import { T5ForConditionalGeneration } from "../../src/models/t5/modeling.js";
import { generate } from "../../src/generate/index.js";
import { generateText } from "../../src/generate/text.js";
import { predictCommand } from "../../src/cli/commands/predict.js";
import { evalCommand } from "../../src/cli/commands/eval.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
import { tempDir, tunelab, writeConfig } from "./helpers.js";

const STORIES = path.join(datasetsDir, "stories260k", "hf");
const quiet = { info: () => {}, warn: () => {} };
const readJsonl = (file: string) => fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const writeJsonl = (file: string, rows: object[]) => fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");

function tinyLlamaDir(dir: string): string {
  manualSeed(3);
  const model = new LlamaForCausalLM(LlamaConfig.fromDict({ vocab_size: 512, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, bos_token_id: 1, eos_token_id: 2 }));
  const out = path.join(dir, "tiny-llama");
  model.savePretrained(out);
  return out;
}

test("predict (causal LM): one JSONL row per prompt with its greedy completion, deterministic", { skip: skipIfMissing(STORIES) }, async () => {
  const dir = tempDir();
  const modelDir = tinyLlamaDir(dir);
  const rows = [{ id: 1, prompt: "Once upon a time" }, { id: 2, prompt: "The little dog" }, { id: 3, text: "Lily saw" }];
  writeJsonl(path.join(dir, "prompts.jsonl"), rows);
  const cfg = writeConfig(dir, { model: modelDir, tokenizer: STORIES, task: { type: "causal_lm" }, dataset: { train_file: "prompts.jsonl" }, training: { output_dir: "out" } });
  const a = await predictCommand(cfg, { input: path.join(dir, "prompts.jsonl"), output: path.join(dir, "a.jsonl"), max_new_tokens: 6 }, quiet);
  const b = await predictCommand(cfg, { input: path.join(dir, "prompts.jsonl"), output: path.join(dir, "b.jsonl"), max_new_tokens: 6 }, quiet);
  const lines = readJsonl(a);
  assert.deepEqual(fs.readFileSync(a, "utf8"), fs.readFileSync(b, "utf8"), "greedy decoding is deterministic");
  assert.equal(lines.length, 3);
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await LlamaForCausalLM.fromPretrained(modelDir, { quiet: true });
  lines.forEach((line, i) => {
    assert.deepEqual(Object.keys(line), [...Object.keys(rows[i]), "completion", "finish_reason"]);
    assert.equal(typeof line.completion, "string");
    // The same as greedy decoding of the prompt's ids (BOS first, as training encodes it).
    const ids = tok.encode((rows[i] as { prompt?: string; text?: string }).prompt ?? (rows[i] as { text: string }).text);
    assert.equal(ids[0], 1);
    const seq = generate(model, [ids], { max_new_tokens: 6, eos_token_id: 2 })[0];
    const fresh = seq.slice(ids.length);
    const cut = fresh.includes(2) ? fresh.slice(0, fresh.indexOf(2)) : fresh;
    assert.equal(line.finish_reason, cut.length < 6 ? "eos" : "length");
    assert.equal(line.completion, generateText(model, tok, ids, { max_new_tokens: 6 }).text);
    assert.equal(tok.decode([...ids, ...cut], { skip_special_tokens: true }), tok.decode(ids, { skip_special_tokens: true }) + line.completion);
  });
  // A row with nothing to continue is a bad row, reported with its line.
  writeJsonl(path.join(dir, "bad.jsonl"), [{ prompt: "Hi" }, { question: "no prompt" }]);
  await assert.rejects(predictCommand(cfg, { input: path.join(dir, "bad.jsonl"), output: path.join(dir, "c.jsonl") }, quiet), /bad\.jsonl:2: no "prompt", "text" or "messages" column/);
});

test("predict (seq2seq): a tiny T5 writes generated_text per source row", { skip: skipIfMissing(STORIES) }, async () => {
  const dir = tempDir();
  manualSeed(4);
  const t5 = new T5ForConditionalGeneration(T5Config.fromDict({ vocab_size: 512, d_model: 16, d_kv: 8, d_ff: 32, num_layers: 1, num_heads: 2, dropout_rate: 0, eos_token_id: 2, pad_token_id: 0, decoder_start_token_id: 0 }));
  const modelDir = path.join(dir, "tiny-t5");
  t5.savePretrained(modelDir);
  const rows = [{ source: "the cat sat" }, { source: "a dog ran to the park", target: "ignored" }];
  writeJsonl(path.join(dir, "src.jsonl"), rows);
  const cfg = writeConfig(dir, { model: modelDir, tokenizer: STORIES, task: { type: "seq2seq", source_prefix: "summarize: " }, dataset: { train_file: "src.jsonl" }, training: { output_dir: "out" } });
  const file = await predictCommand(cfg, { input: path.join(dir, "src.jsonl"), max_new_tokens: 5 }, quiet);
  assert.equal(file, path.join(dir, "out", "predictions.jsonl"));
  const lines = readJsonl(file);
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await T5ForConditionalGeneration.fromPretrained(modelDir, { quiet: true });
  lines.forEach((line, i) => {
    assert.deepEqual(Object.keys(line), [...Object.keys(rows[i]), "generated_text", "finish_reason"]);
    const ids = tok.call("summarize: " + rows[i].source, { truncation: true, max_length: 512 }).input_ids[0];
    const seq = generate(model, [ids], { max_new_tokens: 5, eos_token_id: 2 })[0];
    assert.equal(seq[0], 0, "the decoder starts from decoder_start_token_id");
    const fresh = seq.slice(1);
    assert.equal(line.generated_text, tok.decode(fresh.includes(2) ? fresh.slice(0, fresh.indexOf(2)) : fresh, { skip_special_tokens: true }));
  });
});

test("eval (causal LM): eval_perplexity is exp of the mean loss per scored token", { skip: skipIfMissing(STORIES) }, async () => {
  const dir = tempDir();
  const modelDir = tinyLlamaDir(dir);
  // Lengths differ, so the per-token mean differs from the mean of batch means.
  const texts = ["Once upon a time there was a girl.", "Tom ran.", "The sun was warm and the birds sang in the big green tree.", "A cat.", "Lily and Ben played with a red ball all day long."];
  writeJsonl(path.join(dir, "validation.jsonl"), texts.map((text) => ({ text })));
  writeJsonl(path.join(dir, "train.jsonl"), texts.map((text) => ({ text })));
  const cfg = writeConfig(dir, { model: modelDir, tokenizer: STORIES, task: { type: "causal_lm" }, dataset: { path: dir }, training: { output_dir: "out", per_device_eval_batch_size: 2 } });
  const metrics = await evalCommand(cfg, {}, quiet);
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await LlamaForCausalLM.fromPretrained(modelDir, { quiet: true });
  const feats = encodeCausalLm(Dataset.fromList(texts.map((text) => ({ text }))), tok, {}, new BadRowLog());
  let nll = 0;
  let count = 0;
  noGrad(() => {
    for (const r of feats.rows) {
      const ids = r.input_ids as number[];
      const logits = model.forward({ input_ids: tensor([ids], { dtype: "int32" }) }).logits.toFloat32Array();
      const V = 512;
      for (let t = 0; t + 1 < ids.length; t++) {
        const row = logits.subarray(t * V, (t + 1) * V);
        const max = Math.max(...row);
        const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
        nll += lse - row[ids[t + 1]];
        count++;
      }
    }
  });
  const want = Math.exp(nll / count);
  assert.ok(Math.abs(metrics.eval_perplexity - want) / want < 1e-4, `eval_perplexity ${metrics.eval_perplexity} vs exp(mean token NLL) ${want}`);
  assert.ok(metrics.eval_perplexity > 100, "a random model over 512 tokens is nearly uniform");
});

test("stories260k: predict gives the story continuation greedy decoding gives; eval perplexity is low", { skip: skipIfMissing(STORIES) }, async () => {
  const dir = tempDir();
  const prompts = ["Once upon a time", "Lily wanted to play with"];
  writeJsonl(path.join(dir, "prompts.jsonl"), prompts.map((prompt) => ({ prompt })));
  const story = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park.";
  writeJsonl(path.join(dir, "validation.jsonl"), [{ text: story }, { text: "One day, Tom and his mom went to the park. They saw a big dog." }]);
  const cfg = writeConfig(dir, { model: STORIES, task: { type: "causal_lm" }, dataset: { train_file: "prompts.jsonl", validation_file: "validation.jsonl" }, training: { output_dir: "out" } });
  const r = tunelab(["predict", cfg, "--input", path.join(dir, "prompts.jsonl"), "--output", path.join(dir, "stories.jsonl"), "--max-new-tokens", "40"]);
  assert.equal(r.status, 0, r.output);
  const lines = readJsonl(path.join(dir, "stories.jsonl"));
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
  lines.forEach((line, i) => {
    const ids = tok.encode(prompts[i]);
    const fresh = generate(model, [ids], { max_new_tokens: 40, eos_token_id: 2 })[0].slice(ids.length);
    const cut = fresh.includes(2) ? fresh.slice(0, fresh.indexOf(2)) : fresh;
    assert.equal(prompts[i] + line.completion, tok.decode([...ids, ...cut], { skip_special_tokens: true }));
    console.log(`stories260k predict: ${JSON.stringify(prompts[i] + line.completion)}`);
  });
  assert.match(String(lines[0].completion), /^,? ?[a-z ]+/i);
  const e = tunelab(["eval", cfg]);
  assert.equal(e.status, 0, e.output);
  const ppl = Number(/eval_perplexity: ([\d.]+)/.exec(e.output)?.[1]);
  console.log(`stories260k eval_perplexity: ${ppl}`);
  assert.ok(ppl > 1 && ppl < 20, `stories260k perplexity on a TinyStories-like text: ${ppl}\n${e.output}`);
});
