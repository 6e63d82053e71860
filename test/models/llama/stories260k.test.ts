// A real pretrained Llama (stories260K, converted from llama2.c): it loads through
// LlamaForCausalLM and AutoModelForCausalLM, and greedy decoding matches an independent
// float64 forward written from llama2.c's run.c over the original .bin file.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { LlamaForCausalLM } from "../../../src/models/llama/modeling.js";
import { AutoModelForCausalLM } from "../../../src/models/auto.js";
import { AutoTokenizer } from "../../../src/data/tokenizer.js";
import { generate } from "../../../src/generate/index.js";
import { datasetsDir, skipIfMissing } from "../../helpers/paths.js";
import { readLlama2c, readTokenizer, encodeLlama2c, greedyLlama2c } from "./llama2c_reference.js";

const root = path.join(datasetsDir, "stories260k");
const hfDir = path.join(root, "hf");
const STEPS = 40;

test("stories260k: greedy decoding equals llama2.c's run.c at temperature 0", { skip: skipIfMissing(root) }, async () => {
  const tok = readTokenizer(path.join(root, "llama2c/tok512.bin"));
  const promptIds = encodeLlama2c("Once upon a time", tok);
  const tokenizer = await AutoTokenizer.fromPretrained(hfDir);
  assert.deepEqual(tokenizer.encode("Once upon a time"), promptIds, "the HF tokenizer and run.c's encode() disagree");

  const expected = greedyLlama2c(readLlama2c(path.join(root, "llama2c/stories260K.bin")), promptIds, STEPS);
  const model = await LlamaForCausalLM.fromPretrained(hfDir, { quiet: true });
  assert.deepEqual(model.loadReport?.newlyInitialized, []);
  const cached = generate(model, [promptIds], { max_new_tokens: STEPS, eos_token_id: [] })[0];
  assert.deepEqual(cached.slice(promptIds.length), expected);
  const full = generate(model, [promptIds], { max_new_tokens: 12, eos_token_id: [], use_cache: false })[0];
  assert.deepEqual(full.slice(promptIds.length), expected.slice(0, 12), "recomputing the full sequence gives other tokens than the KV cache");
  const text = tokenizer.decode(cached, { skip_special_tokens: true });
  console.log(`stories260k greedy: ${JSON.stringify(text)}`);
  assert.match(text, /^Once upon a time/);
});

test("stories260k: AutoModelForCausalLM loads the folder as LlamaForCausalLM", { skip: skipIfMissing(root) }, async () => {
  const model = await AutoModelForCausalLM.fromPretrained(hfDir, { quiet: true });
  assert.ok(model instanceof LlamaForCausalLM);
  assert.equal(model.numParameters(), 260_032);
});
