import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AutoTokenizer, PreTrainedTokenizer } from "../../src/data/tokenizer.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
const GPT2 = path.join(datasetsDir, "tokenizers", "gpt2");
const BERT = path.join(datasetsDir, "tokenizers", "bert-base-uncased");
const STORIES = path.join(datasetsDir, "stories260k");
function tmpDir() {
    return fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-tok-"));
}
test("GPT-2 byte-level BPE: known ids, decode, pad-token error, padding sides", { skip: skipIfMissing(GPT2) }, async () => {
    const tok = await AutoTokenizer.fromPretrained(GPT2);
    assert.deepEqual(tok.encode("Hello world"), [15496, 995]);
    assert.equal(tok.eos_token, "<|endoftext|>");
    assert.equal(tok.eos_token_id, 50256);
    assert.equal(tok.vocab_size, 50257);
    assert.deepEqual(tok.model_input_names, ["input_ids", "attention_mask"]);
    const text = "Hello world, it's  me! 日本 🙂\n";
    assert.equal(tok.decode(tok.encode(text)), text);
    assert.equal(tok.decode([]), "");
    assert.throws(() => tok.call(["a", "b c"], { padding: true }), /\[tokenizer\] padding needs a pad token but .* has none \(pad_token is null\); set one first, e\.g\. tokenizer\.pad_token = tokenizer\.eos_token/);
    tok.pad_token = tok.eos_token;
    const right = tok.call(["Hello world", "Hello"], { padding: true });
    assert.deepEqual(right, { input_ids: [[15496, 995], [15496, 50256]], attention_mask: [[1, 1], [1, 0]] });
    const left = tok.call(["Hello world", "Hello"], { padding: "max_length", max_length: 4, padding_side: "left" });
    assert.deepEqual(left.input_ids, [[50256, 50256, 15496, 995], [50256, 50256, 50256, 15496]]);
    assert.deepEqual(left.attention_mask, [[0, 0, 1, 1], [0, 0, 0, 1]]);
    assert.deepEqual(tok.batchDecode(left.input_ids, { skip_special_tokens: true }), ["Hello world", "Hello"]);
    assert.throws(() => (tok.pad_token = "<pad>"), /pad_token "<pad>" is not in the vocabulary/);
    // A pair without a template is concatenated, type ids 0 then 1.
    assert.deepEqual(tok.call("Hello", { text_pair: " world", return_token_type_ids: true }).token_type_ids, [[0, 1]]);
});
test("BERT from vocab.txt only: BertConverter's pipeline, known ids, pairs, truncation, save and reload", { skip: skipIfMissing(BERT) }, async () => {
    const tok = await AutoTokenizer.fromPretrained(BERT);
    assert.deepEqual(tok.encode("Hello, world!"), [101, 7592, 1010, 2088, 999, 102]);
    assert.deepEqual(tok.tokenize("Unaffable naïve"), ["una", "##ffa", "##ble", "naive"]);
    assert.deepEqual([tok.cls_token_id, tok.sep_token_id, tok.pad_token_id, tok.unk_token_id, tok.mask_token_id], [101, 102, 0, 100, 103]);
    const pair = tok.call("Hello", { text_pair: "world", padding: "max_length", max_length: 7 });
    assert.deepEqual(pair, {
        input_ids: [[101, 7592, 102, 2088, 102, 0, 0]],
        attention_mask: [[1, 1, 1, 1, 1, 0, 0]],
        token_type_ids: [[0, 0, 0, 1, 1, 0, 0]],
    });
    assert.equal(tok.decode(tok.encode("Hello, world!")), "[CLS] hello, world! [SEP]");
    assert.equal(tok.decode(tok.encode("Hello, world!"), { skip_special_tokens: true }), "hello, world!");
    // longest_first trims the longer side first (Rust tokenizers' algorithm); max_length counts the 3 specials.
    const long = "one two three four five six";
    const t = tok.call(long, { text_pair: "a b", truncation: true, max_length: 9 });
    assert.equal(t.input_ids[0].length, 9);
    assert.deepEqual(tok.decode(t.input_ids[0]), "[CLS] one two three four [SEP] a b [SEP]");
    const onlySecond = tok.call("a b", { text_pair: long, truncation: "only_second", max_length: 8 });
    assert.equal(tok.decode(onlySecond.input_ids[0]), "[CLS] a b [SEP] one two three [SEP]");
    tok.truncation_side = "left";
    assert.equal(tok.decode(tok.encode(long, { max_length: 5 })), "[CLS] four five six [SEP]");
    tok.truncation_side = "right";
    assert.throws(() => tok.encode(long, { max_length: 1, truncation: true }), /max_length 1 is smaller than the 2 special tokens/);
    assert.throws(() => tok.call("a", { text_pair: long, truncation: "only_first", max_length: 6 }), /truncation "only_first": the first sequence has 1 tokens, too few to remove 4/);
    assert.deepEqual(tok.call(["a", "a b c"], { padding: true, pad_to_multiple_of: 4 }).input_ids.map((r) => r.length), [8, 8]);
    const dir = tmpDir();
    const written = tok.savePretrained(dir).map((f) => path.basename(f)).sort();
    assert.deepEqual(written, ["special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt"]);
    const config = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"));
    assert.equal(config.tokenizer_class, "BertTokenizer");
    assert.equal(config.pad_token, "[PAD]");
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "special_tokens_map.json"), "utf8")).cls_token.content, "[CLS]");
    const again = await AutoTokenizer.fromPretrained(dir);
    for (const s of ["Hello, world!", "Unaffable naïve 日本語", "  spaces\tand\nlines  "])
        assert.deepEqual(again.encode(s), tok.encode(s), s);
    fs.rmSync(dir, { recursive: true });
});
/** llama2.c run.c's encode(), reading tok512.bin: the reference the HF files were checked against. */
function runCEncoder(tokFile) {
    const buf = fs.readFileSync(tokFile);
    const pieces = [];
    const scores = [];
    let off = 4;
    for (let i = 0; i < 512; i++) {
        scores.push(buf.readFloatLE(off));
        const len = buf.readInt32LE(off + 4);
        pieces.push(buf.subarray(off + 8, off + 8 + len).toString("utf8"));
        off += 8 + len;
    }
    const lookup = new Map();
    pieces.forEach((p, i) => lookup.has(p) || lookup.set(p, i));
    return (text) => {
        const ids = [1];
        if (text.length > 0)
            ids.push(lookup.get(" "));
        for (const ch of text) {
            const id = lookup.get(ch);
            if (id !== undefined)
                ids.push(id);
            else
                for (const byte of Buffer.from(ch, "utf8"))
                    ids.push(byte + 3);
        }
        for (;;) {
            let best = -1e10;
            let at = -1;
            let merged = -1;
            for (let i = 1; i < ids.length - 1; i++) {
                const id = lookup.get(pieces[ids[i]] + pieces[ids[i + 1]]);
                if (id !== undefined && scores[id] > best)
                    [best, at, merged] = [scores[id], i, id];
            }
            if (at < 0)
                return ids;
            ids.splice(at, 2, merged);
        }
    };
}
test("stories260K Llama SentencePiece-BPE: same ids as llama2.c on tinyshakespeare, BOS/EOS rules", { skip: skipIfMissing(path.join(STORIES, "hf")) || skipIfMissing(path.join(STORIES, "llama2c", "tok512.bin")) }, async () => {
    const tok = await AutoTokenizer.fromPretrained(path.join(STORIES, "hf"));
    assert.deepEqual([tok.bos_token_id, tok.eos_token_id, tok.unk_token_id, tok.pad_token_id], [1, 2, 0, null]);
    assert.equal(tok.padding_side, "right");
    assert.equal(tok.model_max_length, 512);
    const reference = runCEncoder(path.join(STORIES, "llama2c", "tok512.bin"));
    const shakespeare = path.join(datasetsDir, "tinyshakespeare", "input.txt");
    const lines = fs.existsSync(shakespeare) ? fs.readFileSync(shakespeare, "utf8").split("\n").slice(0, 1500) : [];
    for (const line of [...lines, "Once upon a time, there was a little girl.", "  two  spaces ", "é日🙂\ttab", "Lily's dog"]) {
        const ids = tok.encode(line);
        assert.deepEqual(ids, reference(line), JSON.stringify(line));
        assert.equal(tok.decode(ids, { skip_special_tokens: true }), line);
    }
    assert.deepEqual(tok.encode("Once upon a time", { add_special_tokens: false }), reference("Once upon a time").slice(1));
    // LlamaTokenizerFast semantics: add_eos_token rebuilds the template.
    const withEos = await AutoTokenizer.fromPretrained(path.join(STORIES, "hf"), { add_eos_token: true });
    assert.deepEqual(withEos.encode("Once"), [...tok.encode("Once"), 2]);
    assert.deepEqual(withEos.call("a", { text_pair: "b", return_token_type_ids: true }).token_type_ids, [[0, 0, 0, 1, 1, 1]]);
    const noBos = await AutoTokenizer.fromPretrained(path.join(STORIES, "hf"), { add_bos_token: false });
    assert.deepEqual(noBos.encode("Once"), tok.encode("Once").slice(1));
});
/** A minimal tokenizer.json around a model object (the same layout the Rust library writes). */
function tokenizerJson(model, parts = {}) {
    return { version: "1.0", truncation: null, padding: null, added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, model, ...parts };
}
function added(id, content) {
    return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}
test("all four model types from hand-built tokenizer.json files", () => {
    // WordPiece
    const wp = new PreTrainedTokenizer(tokenizerJson({ type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100, vocab: { "[UNK]": 0, "[CLS]": 1, "[SEP]": 2, play: 3, "##ing": 4, "##ed": 5, fun: 6 } }, {
        added_tokens: [added(0, "[UNK]"), added(1, "[CLS]"), added(2, "[SEP]")],
        normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
        pre_tokenizer: { type: "BertPreTokenizer" },
        post_processor: { type: "BertProcessing", cls: ["[CLS]", 1], sep: ["[SEP]", 2] },
        decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    }), { unk_token: "[UNK]", cls_token: "[CLS]", sep_token: "[SEP]" });
    assert.deepEqual(wp.encode("Playing fun xyz"), [1, 3, 4, 6, 0, 2]);
    assert.equal(wp.decode([3, 4, 6, 5]), "playing funed");
    assert.deepEqual(wp.call("play", { text_pair: "fun" }).token_type_ids, [[0, 0, 0, 1, 1]]);
    // Byte-level BPE (GPT-2 style): "ab" merges, then "Ġab".
    const bytes = ["a", "b", "c", "Ġ"];
    const bbpe = new PreTrainedTokenizer(tokenizerJson({ type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, byte_fallback: false, vocab: { ...Object.fromEntries(bytes.map((b, i) => [b, i])), ab: 4, "Ġab": 5, "<|end|>": 6 }, merges: [["a", "b"], ["Ġ", "ab"]] }, {
        added_tokens: [added(6, "<|end|>")],
        pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
        post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
        decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    }), { eos_token: "<|end|>" });
    assert.deepEqual(bbpe.encode("ab abc<|end|>"), [4, 5, 2, 6]);
    assert.equal(bbpe.decode([4, 5, 2, 6], { skip_special_tokens: true }), "ab abc");
    // Unigram (SentencePiece): Viterbi picks the best-scoring segmentation.
    const unigram = new PreTrainedTokenizer(tokenizerJson({ type: "Unigram", unk_id: 0, byte_fallback: false, vocab: [["<unk>", 0], ["</s>", 0], ["▁hello", -1], ["▁he", -2], ["llo", -2], ["▁", -3], ["h", -4], ["e", -4], ["l", -4], ["o", -4], ["▁world", -1.5]] }, {
        added_tokens: [added(0, "<unk>"), added(1, "</s>")],
        pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
        post_processor: { type: "TemplateProcessing", single: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }], pair: [{ Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }], special_tokens: { "</s>": { id: "</s>", ids: [1], tokens: ["</s>"] } } },
        decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
    }), { eos_token: "</s>", unk_token: "<unk>" });
    assert.deepEqual(unigram.tokenize("hello world"), ["▁hello", "▁world"]);
    assert.deepEqual(unigram.encode("hello world"), [2, 10, 1]);
    assert.equal(unigram.decode([2, 10, 1], { skip_special_tokens: true }), "hello world");
    // Classic BPE with a whitespace pre-tokenizer and an end-of-word suffix.
    const bpe = new PreTrainedTokenizer(tokenizerJson({ type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: "</w>", fuse_unk: false, byte_fallback: false, vocab: { "<unk>": 0, "l": 1, "o": 2, "w</w>": 3, "lo": 4, "low</w>": 5, "e": 6, "r</w>": 7 }, merges: ["l o", "lo w</w>"] }, { added_tokens: [added(0, "<unk>")], pre_tokenizer: { type: "Whitespace" }, decoder: { type: "BPEDecoder", suffix: "</w>" } }), { unk_token: "<unk>" });
    // "w" inside a word is not in the vocabulary (only "w</w>" is): it becomes <unk>.
    assert.deepEqual(bpe.tokenize("low lower"), ["low</w>", "lo", "<unk>", "e", "r</w>"]);
    assert.deepEqual(bpe.encode("low"), [5]);
    assert.deepEqual(bpe.encode("lowr"), [4, 0, 7], "an unknown symbol maps to <unk>");
    assert.equal(bpe.decode([5, 5]), "low low");
});
test("chat templates: rendering, generation prompt, tokenizing, named templates and errors", { skip: skipIfMissing(path.join(STORIES, "hf")) }, async () => {
    const template = "{{ bos_token }}{% for m in messages %}<|{{ m.role }}|>{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    const tok = await AutoTokenizer.fromPretrained(path.join(STORIES, "hf"), { chat_template: template });
    const messages = [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }];
    assert.equal(tok.applyChatTemplate(messages, { tokenize: false }), "<s><|user|>Hi</s><|assistant|>Hello</s>");
    assert.equal(tok.applyChatTemplate(messages.slice(0, 1), { tokenize: false, add_generation_prompt: true }), "<s><|user|>Hi</s><|assistant|>");
    const ids = tok.applyChatTemplate(messages);
    assert.equal(ids[0], 1, "the template's BOS, not a second one from add_special_tokens");
    assert.notEqual(ids[1], 1);
    assert.equal(tok.applyChatTemplate([{ role: "user", content: "Tell me" }], { tokenize: false, continue_final_message: true }), "<s><|user|>Tell me");
    const plain = await AutoTokenizer.fromPretrained(path.join(STORIES, "hf"));
    assert.throws(() => plain.applyChatTemplate(messages), /has no chat_template \(tokenizer_config\.json defines none\); pass \{ chat_template \}/);
    plain.chat_template = { default: "D{{ messages | length }}", tool_use: "T" };
    assert.equal(plain.applyChatTemplate(messages, { tokenize: false }), "D2");
    assert.equal(plain.applyChatTemplate(messages, { tokenize: false, tools: [] }), "T");
    plain.chat_template = "{{ raise_exception('roles must alternate') }}";
    assert.throws(() => plain.applyChatTemplate(messages), /chat_template failed to render: roles must alternate/);
    plain.chat_template = "{% for %}";
    assert.throws(() => plain.applyChatTemplate(messages), /chat_template does not parse/);
    const dir = tmpDir();
    tok.savePretrained(dir);
    const reloaded = await AutoTokenizer.fromPretrained(dir);
    assert.equal(reloaded.chat_template, template);
    assert.equal(reloaded.model_max_length, 512);
    assert.deepEqual(reloaded.encode("Once upon a time"), tok.encode("Once upon a time"));
    fs.rmSync(dir, { recursive: true });
});
test("folders without tokenizer files are explained", async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, "config.json"), "{}");
    await assert.rejects(AutoTokenizer.fromPretrained(dir), /\[tokenizer\] .*: no tokenizer\.json or vocab\.txt \(folder has: config\.json\)/);
    fs.writeFileSync(path.join(dir, "tokenizer.model"), "sp");
    await assert.rejects(AutoTokenizer.fromPretrained(dir), /Only tokenizer\.model \(SentencePiece\) is here: convert it once with Python/);
    fs.writeFileSync(path.join(dir, "tokenizer.json"), "{ broken");
    await assert.rejects(AutoTokenizer.fromPretrained(dir), /\[tokenizer\] .*tokenizer\.json: invalid JSON at line 1 column 3/);
    fs.rmSync(dir, { recursive: true });
});
//# sourceMappingURL=tokenizer.test.js.map