// Text generation on the real stories260K model: batched greedy decoding still gives the
// README's reference story, stop strings cut the text (and the streamed deltas add up to
// it), and chat prompts go through the tokenizer's chat template.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { generateTexts, generateText, streamText, chatPromptIds, TextStream } from "../../src/generate/index.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";

const STORIES = path.join(datasetsDir, "stories260k", "hf");
const REFERENCE = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball.";

test("stories260k: greedy in a batch beside other prompts gives the reference story", { skip: skipIfMissing(STORIES) }, async () => {
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
  const prompts = ["Once upon a time", "Tom had a", "The sun"].map((p) => tok.encode(p));
  const out = generateTexts(model, tok, prompts, { max_new_tokens: 40, eos_token_id: [] });
  assert.equal("Once upon a time" + out[0].text, REFERENCE);
  assert.equal(out[0].finish_reason, "length");
  prompts.forEach((p, i) => assert.deepEqual(generateText(model, tok, p, { max_new_tokens: 40, eos_token_id: [] }), out[i], `prompt ${i} alone`));
});

test("stories260k: stop strings end the text before them; streamed deltas add up to the text", { skip: skipIfMissing(STORIES) }, async () => {
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const model = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
  const ids = tok.encode("Once upon a time");
  const stopped = generateText(model, tok, ids, { max_new_tokens: 40, stop: ["Lily"] });
  assert.equal(stopped.text, ", there was a little girl named ");
  assert.equal(stopped.finish_reason, "stop");
  let streamed = "";
  let finish = null;
  for await (const chunk of streamText(model, tok, ids, { max_new_tokens: 40, stop: [". One"] })) {
    streamed += chunk.text;
    finish = chunk.finish_reason;
  }
  assert.equal(streamed, REFERENCE.slice("Once upon a time".length, REFERENCE.indexOf(". One")));
  assert.equal(finish, "stop");
});

test("TextStream holds back a possible stop string and incomplete characters", { skip: skipIfMissing(STORIES) }, async () => {
  const tok = await AutoTokenizer.fromPretrained(STORIES);
  const ids = tok.encode(" there was a little girl", { add_special_tokens: false });
  const s = new TextStream(tok, [], ["little boy"]);
  const deltas = ids.map((t) => s.push(t));
  const upToLittle = deltas.slice(0, ids.findIndex((_, i) => tok.decode(ids.slice(0, i + 1)).endsWith("little")) + 1).join("");
  assert.equal(upToLittle, " there was a ", `"little" may begin the stop string, so it waits: ${JSON.stringify(deltas)}`);
  assert.equal(deltas.join("") + s.flush(), tok.decode(ids));
  assert.equal(s.stopped, false);
});

test("chat prompts go through the tokenizer's chat template with the assistant turn opened", { skip: skipIfMissing(STORIES) }, async () => {
  const template = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
  const tok = await AutoTokenizer.fromPretrained(STORIES, { chat_template: template });
  const ids = chatPromptIds(tok, [{ role: "user", content: "Tell me a story" }]);
  assert.equal(tok.decode(ids), "<|user|>Tell me a story\n<|assistant|>");
});
