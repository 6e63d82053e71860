// Several LoRA adapters on one base, chosen per request by `model` (also within one batch of
// concurrent requests), and the encoder endpoints: /v1/classify and /v1/embeddings equal the
// model run in-process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { AutoModel, AutoModelForSequenceClassification } from "../../src/models/auto.js";
import { PeftModel } from "../../src/peft/peft_model.js";
import { noGrad, softmax } from "../../src/tensor/index.js";
import { generateTexts } from "../../src/generate/index.js";
import { skipIfMissing } from "../helpers/paths.js";
import { STORIES, DEMO_MODEL, tempDir, storiesLora, demoClassifier, serve, post, get, errorMessage } from "./helpers.js";

test("adapters: each request runs the adapter its `model` names (the base with none), concurrently", { skip: skipIfMissing(STORIES), timeout: 120_000 }, async () => {
  const root = tempDir();
  const [a, b] = [await storiesLora(root, "a", 1), await storiesLora(root, "b", 2)];
  const server = await serve({ model: STORIES, served_model_name: "base", adapters: [{ name: "kind", dir: a }, { name: "odd", dir: b }] });
  try {
    const models = JSON.parse((await get(server.url + "/v1/models")).text).data.map((m: { id: string }) => m.id);
    assert.deepEqual(models, ["base", "kind", "odd"]);
    const prompt = "Once upon a time";
    const ask = (model: string) => post(server.url + "/v1/completions", { model, prompt, max_tokens: 16, temperature: 0 });
    // All at once: the scheduler batches per adapter and switches adapters between steps.
    const replies = await Promise.all(["base", "kind", "odd", "kind", "base"].map(ask));
    const texts = replies.map((r) => (assert.equal(r.status, 200, JSON.stringify(r.body)), (r.body.choices as { text: string }[])[0].text));
    const tok = await AutoTokenizer.fromPretrained(STORIES);
    const ids = [tok.encode(prompt)];
    const expected = async (dir: string | null) => {
      const base = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
      const model = dir ? PeftModel.fromPretrained(base, dir) : base;
      return generateTexts(model, tok, ids, { max_new_tokens: 16 })[0].text;
    };
    const [wantBase, wantA, wantB] = [await expected(null), await expected(a), await expected(b)];
    assert.notEqual(wantA, wantBase, "the adapter changes the continuation");
    assert.notEqual(wantA, wantB);
    assert.deepEqual(texts, [wantBase, wantA, wantB, wantA, wantBase]);
  } finally {
    await server.close();
  }
});

test("/v1/classify and /v1/embeddings on encoder models equal the model in-process", { timeout: 120_000 }, async () => {
  const root = tempDir();
  const clsDir = await demoClassifier(root);
  const tok = await AutoTokenizer.fromPretrained(DEMO_MODEL);
  const inputs = ["a great film", "boring and far too long, a waste"];
  const enc = tok.call(inputs, { padding: true });
  const cls = await serve({ model: clsDir });
  try {
    const r = await post(cls.url + "/v1/classify", { model: "sentiment", input: inputs });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const model = await AutoModelForSequenceClassification.fromPretrained(clsDir, { quiet: true });
    const probs = noGrad(() => softmax(model.forward({ ...enc }).logits, -1).toFloat32Array());
    const data = r.body.data as { index: number; label: string; score: number; probs: Record<string, number> }[];
    data.forEach((d, i) => {
      assert.ok(Math.abs(d.probs.negative - probs[2 * i]) < 1e-5 && Math.abs(d.probs.positive - probs[2 * i + 1]) < 1e-5, JSON.stringify(d));
      assert.equal(d.label, probs[2 * i + 1] > probs[2 * i] ? "positive" : "negative");
    });
    const gen = await post(cls.url + "/v1/completions", { model: "sentiment", prompt: "x" });
    assert.equal(gen.status, 400);
    assert.match(errorMessage(gen), /is a classification model; use \/v1\/classify/);
  } finally {
    await cls.close();
  }
  const emb = await serve({ model: DEMO_MODEL, served_model_name: "demo" });
  try {
    const r = await post(emb.url + "/v1/embeddings", { model: "demo", input: inputs });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const model = await AutoModel.fromPretrained(DEMO_MODEL, { quiet: true });
    const hidden = noGrad(() => model.forward({ ...enc }).last_hidden_state!.toFloat32Array());
    const [T, C] = [enc.input_ids[0].length, 64];
    const data = r.body.data as { object: string; index: number; embedding: number[] }[];
    data.forEach((d, b) => {
      assert.equal(d.object, "embedding");
      const n = enc.attention_mask![b].reduce((x, y) => x + y, 0);
      for (const c of [0, 17, 63]) {
        let want = 0;
        for (let t = 0; t < n; t++) want += hidden[(b * T + t) * C + c] / n;
        assert.ok(Math.abs(d.embedding[c] - want) < 1e-5, `row ${b} dim ${c}: ${d.embedding[c]} vs ${want}`);
      }
    });
    assert.deepEqual(r.body.usage, { prompt_tokens: enc.attention_mask!.flat().reduce((x, y) => x + y, 0), total_tokens: enc.attention_mask!.flat().reduce((x, y) => x + y, 0) });
  } finally {
    await emb.close();
  }
});
