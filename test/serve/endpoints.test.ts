// The OpenAI-compatible endpoints on the real stories260K model: completions (plain, batched
// prompts, n choices, stop strings, seeded sampling), streaming as server-sent events, chat
// through the chat template, /v1/models, /health while a long generation runs, /metrics, and
// the temperature-0 completion of "Once upon a time" equal to `tunelab predict`'s.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { generateTexts } from "../../src/generate/index.js";
import type { TunelabServer } from "../../src/serve/server.js";
import { skipIfMissing } from "../helpers/paths.js";
import { tunelab, writeConfig } from "../cli/helpers.js";
import { STORIES, tempDir, storiesWithChat, serve, post, get, postStream, errorMessage } from "./helpers.js";

const skip = skipIfMissing(STORIES);
let server: TunelabServer | null = null;
const root = tempDir();

async function url(p: string): Promise<string> {
  server ??= await serve({ model: storiesWithChat(root) });
  return server.url + p;
}

after(async () => {
  await server?.close();
});

test("completions at temperature 0 equal `tunelab predict` on stories260K", { skip, timeout: 120_000 }, async () => {
  const r = await post(await url("/v1/completions"), { model: "stories", prompt: "Once upon a time", max_tokens: 40, temperature: 0 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const choice = (r.body.choices as { text: string; finish_reason: string; index: number }[])[0];
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, "prompts.jsonl"), JSON.stringify({ prompt: "Once upon a time" }) + "\n");
  const cfg = writeConfig(dir, { model: STORIES, task: { type: "causal_lm" }, dataset: { train_file: "prompts.jsonl" }, training: { output_dir: "out" } });
  const p = tunelab(["predict", cfg, "--input", path.join(dir, "prompts.jsonl"), "--output", path.join(dir, "out.jsonl"), "--max-new-tokens", "40"]);
  assert.equal(p.status, 0, p.output);
  const predicted = JSON.parse(fs.readFileSync(path.join(dir, "out.jsonl"), "utf8").trim());
  assert.equal(choice.text, predicted.completion);
  assert.equal(choice.text, ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.");
  assert.equal(choice.finish_reason, "length");
  assert.deepEqual(r.body.usage, { prompt_tokens: 5, completion_tokens: 40, total_tokens: 45 });
  assert.equal(r.body.object, "text_completion");
  assert.match(String(r.body.id), /^cmpl-/);
});

test("completions: a list of prompts with n choices each, stop strings, seeded sampling equal to generate()", { skip, timeout: 120_000 }, async () => {
  const prompts = ["Once upon a time", "Tom had a"];
  const r = await post(await url("/v1/completions"), { model: "stories", prompt: prompts, max_tokens: 12, temperature: 0.9, seed: 7, n: 2 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const choices = r.body.choices as { text: string; index: number }[];
  assert.deepEqual(choices.map((c) => c.index), [0, 1, 2, 3]);
  const again = await post(await url("/v1/completions"), { model: "stories", prompt: prompts, max_tokens: 12, temperature: 0.9, seed: 7, n: 2 });
  assert.deepEqual(again.body.choices, r.body.choices, "the same seed gives the same choices");
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
  const local = generateTexts(model, tok, prompts.map((p) => tok.encode(p)), { max_new_tokens: 12, do_sample: true, temperature: 0.9, top_k: 0, seed: 7, num_return_sequences: 2 });
  assert.deepEqual(choices.map((c) => c.text), local.map((g) => g.text), "the server samples what generate() samples with that seed");
  const stopped = await post(await url("/v1/completions"), { model: "stories", prompt: "Once upon a time", max_tokens: 40, temperature: 0, stop: ["Lily", "zzz"] });
  assert.deepEqual((stopped.body.choices as { text: string; finish_reason: string }[])[0], { index: 0, text: ", there was a little girl named ", logprobs: null, finish_reason: "stop" });
});

test("stream: true sends server-sent events whose deltas add up to the completion, then usage and [DONE]", { skip, timeout: 120_000 }, async () => {
  const body = { model: "stories", prompt: "Once upon a time", max_tokens: 30, temperature: 0 };
  const plain = await post(await url("/v1/completions"), body);
  const s = await postStream(await url("/v1/completions"), { ...body, stream: true, stream_options: { include_usage: true } });
  assert.equal(s.status, 200);
  assert.match(String(s.contentType), /^text\/event-stream/);
  assert.equal(s.events.at(-1), "[DONE]");
  const chunks = s.events.slice(0, -1) as { choices: { text: string; finish_reason: string | null }[]; usage?: unknown; object: string }[];
  assert.ok(chunks.length > 10, `one chunk per token or so, got ${chunks.length}`);
  assert.ok(chunks.every((c) => c.object === "text_completion"));
  assert.equal(chunks.map((c) => c.choices.map((x) => x.text).join("")).join(""), (plain.body.choices as { text: string }[])[0].text);
  assert.equal(chunks.at(-2)!.choices[0].finish_reason, "length");
  assert.deepEqual(chunks.at(-1)!.usage, plain.body.usage);
});

test("chat completions apply the chat template, also streamed (role first, then content deltas)", { skip, timeout: 120_000 }, async () => {
  const messages = [{ role: "user", content: "Tell me a story" }];
  const r = await post(await url("/v1/chat/completions"), { model: "stories", messages, max_tokens: 20, temperature: 0 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
  const ids = tok.encode("<|user|>Tell me a story\n<|assistant|>", { add_special_tokens: false });
  const [want] = generateTexts(model, tok, [ids], { max_new_tokens: 20 });
  const choice = (r.body.choices as { message: { role: string; content: string }; finish_reason: string }[])[0];
  assert.deepEqual(choice.message, { role: "assistant", content: want.text });
  assert.equal(r.body.object, "chat.completion");
  const s = await postStream(await url("/v1/chat/completions"), { model: "stories", messages: [{ role: "user", content: [{ type: "text", text: "Tell me a story" }] }], max_tokens: 20, temperature: 0, stream: true });
  const chunks = s.events.slice(0, -1) as { object: string; choices: { delta: { role?: string; content?: string } }[] }[];
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  assert.ok(chunks.every((c) => c.object === "chat.completion.chunk"));
  assert.equal(chunks.map((c) => c.choices[0].delta.content ?? "").join(""), want.text);
});

test("/v1/models lists the model; /metrics counts requests and tokens in Prometheus' format", { skip, timeout: 120_000 }, async () => {
  const models = JSON.parse((await get(await url("/v1/models"))).text);
  assert.deepEqual(models.data.map((m: { id: string }) => m.id), ["stories"]);
  await post(await url("/v1/completions"), { model: "stories", prompt: "Hi", max_tokens: 3, temperature: 0 });
  const m = await get(await url("/metrics"));
  assert.equal(m.status, 200);
  assert.match(m.text, /^# HELP tunelab_requests_total /m);
  assert.match(m.text, /^tunelab_requests_total\{endpoint="\/v1\/completions",status="200"\} [1-9]\d*$/m);
  assert.match(m.text, /^tunelab_completion_tokens_total [1-9]\d*$/m);
  assert.match(m.text, /^tunelab_request_duration_seconds_bucket\{endpoint="\/v1\/completions",le="\+Inf"\} [1-9]\d*$/m);
  assert.match(m.text, /^tunelab_requests_in_flight 0$/m);
});

test("/health answers while a long generation runs (the model runs in a worker thread)", { skip, timeout: 120_000 }, async () => {
  const long = post(await url("/v1/completions"), { model: "stories", prompt: ["Once upon a time", "The dog", "A bird"], n: 2, max_tokens: 300, temperature: 1, seed: 1 });
  let generationDone = false;
  void long.then(() => (generationDone = true));
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  const h = await get(await url("/health"));
  const healthMs = performance.now() - t0;
  assert.equal(h.status, 200);
  assert.deepEqual(JSON.parse(h.text), { status: "ok", models: ["stories"] });
  assert.equal(generationDone, false, `the generation (6 rows x 300 tokens) should still be running when /health answers (after ${healthMs.toFixed(0)} ms)`);
  const r = await long;
  assert.equal(r.status, 200);
  assert.equal((r.body.choices as unknown[]).length, 6);
});

test("the worker refuses a prompt that does not fit the context with max_tokens", { skip, timeout: 120_000 }, async () => {
  const r = await post(await url("/v1/completions"), { model: "stories", prompt: "Once upon a time ".repeat(200), max_tokens: 16 });
  assert.equal(r.status, 400);
  assert.match(errorMessage(r), /maximum context length is 512 tokens, but prompt 0 has \d+ tokens and max_tokens is 16/);
});
