import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import {
  AutoTokenizer, BadRowLog, Dataset, buildLabelMap, encodeClassification, buildTagList, encodeTokenClassification, encodeCausalLm, encodeExtractiveQa,
  DataCollatorWithPadding, DataCollatorForLanguageModeling, DataCollatorForSeq2Seq,
} from "../../src/data/index.js";
import { SeededRandom } from "../../src/tensor/index.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
import { DEMO_TOKENIZER } from "./helpers.js";

const GPT2 = path.join(datasetsDir, "tokenizers", "gpt2");

test("classification: names become ids from the training split; unknown labels and empty text are bad rows", async () => {
  const tok = await AutoTokenizer.fromPretrained(DEMO_TOKENIZER);
  const train = Dataset.fromList([{ text: "the film was superb .", label: "positive" }, { text: "the film was dull .", label: "negative" }]);
  const map = buildLabelMap(train);
  assert.deepEqual(map.id2label, { 0: "negative", 1: "positive" });
  const ds = encodeClassification(train, tok, map, {}, new BadRowLog());
  assert.equal(ds.get(0).labels, 1);
  assert.equal((ds.get(0).input_ids as number[])[0], tok.cls_token_id);
  const bad = new Dataset([{ text: "", label: "positive" }, { text: "ok", label: "neutral" }, { label: "positive" }], [{ file: "v.jsonl", line: 1 }, { file: "v.jsonl", line: 2 }, { file: "v.jsonl", line: 3 }]);
  const log = new BadRowLog("fail");
  assert.equal(encodeClassification(bad, tok, map, {}, log).length, 0);
  assert.throws(() => log.finish("preparing"), (err: Error) => {
    assert.match(err.message, /v\.jsonl:1: empty text in "text"/);
    assert.match(err.message, /v\.jsonl:2: unknown label "neutral" \(known: negative, positive\)/);
    assert.match(err.message, /v\.jsonl:3: missing column "text"/);
    return true;
  });
  const multi = buildLabelMap(Dataset.fromList([{ text: "a", label: ["x", "y"] }, { text: "b", label: ["z"] }]), { problem_type: "multi_label_classification" });
  const enc = encodeClassification(Dataset.fromList([{ text: "a b", label: ["x", "z"] }]), tok, multi, { problem_type: "multi_label_classification" }, new BadRowLog());
  assert.deepEqual(enc.get(0).labels, [1, 0, 1]);
});

test("token classification: the first word piece carries the label, the rest and specials -100", async () => {
  const tok = await AutoTokenizer.fromPretrained(DEMO_TOKENIZER);
  const ds = Dataset.fromList([{ tokens: ["zorblat", "was", "superb"], tags: ["B-PER", "O", "O"] }]);
  const tags = buildTagList(ds);
  assert.deepEqual(tags, ["O", "B-PER", "I-PER"], "B- implies I- of the same type");
  const out = encodeTokenClassification(ds, tok, tags, {}, new BadRowLog()).get(0);
  const ids = out.input_ids as number[];
  const labels = out.labels as number[];
  const pieces = tok.encode("zorblat", { add_special_tokens: false }).length;
  assert.ok(pieces > 1, "an unknown word splits into pieces");
  assert.equal(ids.length, pieces + 4);
  assert.deepEqual(labels, [-100, 1, ...Array(pieces - 1).fill(-100), 0, 0, -100]);
  assert.deepEqual(out.word_ids, [null, ...Array(pieces).fill(0), 1, 2, null]);
  const log = new BadRowLog("fail");
  encodeTokenClassification(Dataset.fromList([{ tokens: ["a"], tags: ["B-XYZ"] }, { tokens: ["a", "b"], tags: ["O"] }]), tok, tags, {}, log);
  assert.equal(log.count, 2);
  assert.match(log.rows[0].reason, /unknown tag "B-XYZ"/);
  assert.match(log.rows[1].reason, /2 tokens but 1 tags/);
});

test("extractive QA: answer character span → start/end token positions inside the context", async () => {
  const tok = await AutoTokenizer.fromPretrained(DEMO_TOKENIZER);
  const context = "the film was superb and the meal was dull .";
  const row = { question: "how was the meal ?", context, answers: { text: ["dull"], answer_start: [context.indexOf("dull")] } };
  const f = encodeExtractiveQa(Dataset.fromList([row]), tok, {}, new BadRowLog()).get(0);
  const ids = f.input_ids as number[];
  assert.equal(tok.decode(ids.slice(f.start_positions as number, (f.end_positions as number) + 1)), "dull");
  const spans = f.token_char_spans as ([number, number] | null)[];
  assert.deepEqual(spans[f.start_positions as number], [context.indexOf("dull"), context.indexOf("dull") + 4]);
  assert.equal((f.token_type_ids as number[])[f.start_positions as number], 1);
  const log = new BadRowLog("fail");
  encodeExtractiveQa(Dataset.fromList([{ ...row, answers: { text: ["dull"], answer_start: [0] } }]), tok, {}, log);
  assert.match(log.rows[0].reason, /is not at answer_start 0/);
});

test("causal LM: prompt tokens are masked with -100 unless asked; chats learn only assistant turns", { skip: skipIfMissing(GPT2) }, async () => {
  const tok = await AutoTokenizer.fromPretrained(GPT2, {
    chat_template: "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}",
  });
  const rows = Dataset.fromList([{ prompt: "Q: 2+2?", completion: " A: 4" }]);
  const f = encodeCausalLm(rows, tok, {}, new BadRowLog()).get(0);
  const ids = f.input_ids as number[];
  const labels = f.labels as number[];
  const promptLen = tok.encode("Q: 2+2?").length;
  assert.deepEqual(labels.slice(0, promptLen), Array(promptLen).fill(-100));
  assert.deepEqual(labels.slice(promptLen), ids.slice(promptLen));
  assert.equal(ids[ids.length - 1], tok.eos_token_id, "EOS closes the completion and is learned");
  const all = encodeCausalLm(rows, tok, { completion_only_loss: false }, new BadRowLog()).get(0);
  assert.deepEqual(all.labels, all.input_ids);
  const chat = Dataset.fromList([{ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello there" }, { role: "user", content: "bye" }, { role: "assistant", content: "ciao" }] }]);
  const c = encodeCausalLm(chat, tok, {}, new BadRowLog()).get(0);
  const learned = (c.input_ids as number[]).filter((_, i) => (c.labels as number[])[i] !== -100);
  assert.equal(tok.decode(learned), `hello there${tok.eos_token}ciao${tok.eos_token}`, "only the assistant turns (and their end tokens) are learned");
  const packed = encodeCausalLm(Dataset.fromList(Array.from({ length: 10 }, () => ({ text: "one two three four five" }))), tok, { packing: true, max_length: 16 }, new BadRowLog());
  assert.ok(packed.rows.slice(0, -1).every((r) => (r.input_ids as number[]).length === 16));
});

test("collators pad dynamically; MLM masking is reproducible from the rng", () => {
  const rows = [{ input_ids: [1, 2, 3], attention_mask: [1, 1, 1], labels: 1 }, { input_ids: [4], attention_mask: [1], labels: 0 }];
  const b = new DataCollatorWithPadding({ pad_token_id: 0, pad_to_multiple_of: 4 }).collate(rows);
  assert.deepEqual(b.input_ids.shape, [2, 4]);
  assert.deepEqual(b.input_ids.tolist(), [[1, 2, 3, 0], [4, 0, 0, 0]]);
  assert.deepEqual(b.attention_mask.tolist(), [[1, 1, 1, 0], [1, 0, 0, 0]]);
  assert.equal(b.labels.dtype, "int32");
  const tokenRows = [{ input_ids: [1, 2], labels: [5, -100] }, { input_ids: [3, 4, 5], labels: [1, 2, 3] }];
  assert.deepEqual(new DataCollatorWithPadding({ pad_token_id: 0 }).collate(tokenRows).labels.tolist(), [[5, -100, -100], [1, 2, 3]]);
  const reg = new DataCollatorWithPadding({ pad_token_id: 0, float_labels: true }).collate([{ input_ids: [1], labels: 0.5 }, { input_ids: [2], labels: 2 }]);
  assert.equal(reg.labels.dtype, "float32");
  const s2s = new DataCollatorForSeq2Seq({ pad_token_id: 0 }).collate([{ input_ids: [1, 2, 3], labels: [7] }, { input_ids: [4], labels: [8, 9] }]);
  assert.deepEqual(s2s.labels.tolist(), [[7, -100], [8, 9]]);
  assert.throws(() => new DataCollatorWithPadding({ pad_token_id: null }).collate(rows), /needs pad_token_id/);
  const mlm = new DataCollatorForLanguageModeling({ mlm: true, mask_token_id: 4, pad_token_id: 0, vocab_size: 50, special_ids: [2, 3], mlm_probability: 0.5 });
  const long = [{ input_ids: [2, ...Array.from({ length: 40 }, (_, i) => 10 + i), 3] }];
  const m1 = mlm.collate(long, { rng: new SeededRandom(7) });
  const m2 = mlm.collate(long, { rng: new SeededRandom(7) });
  assert.deepEqual(m1.input_ids.tolist(), m2.input_ids.tolist());
  const labels = (m1.labels.tolist() as number[][])[0];
  const inputs = (m1.input_ids.tolist() as number[][])[0];
  assert.equal(labels[0], -100, "special tokens are never masked");
  const masked = labels.filter((l) => l !== -100).length;
  assert.ok(masked > 10 && masked < 32, `about half the 40 tokens are chosen, got ${masked}`);
  assert.ok(inputs.filter((v) => v === 4).length >= masked * 0.5, "most chosen tokens become [MASK]");
});
