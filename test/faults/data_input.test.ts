// Bad data input (issue 9, items 6-8): CSV streams parse as in memory, unclear CSV errors,
// non-UTF-8 bytes in data and YAML refused with file and line.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { readDataFile } from "../../src/data/readers.js";
import { IterableDataset } from "../../src/data/stream.js";
import { readYamlFile } from "../../src/cli/config.js";

function tmpFile(name: string, content: string | Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-faults-data-"));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

test("streaming CSV gives the rows in-memory CSV gives: quoted commas, quoted newlines, numbers", async () => {
  const csv = 'text,label,score\n"hello, world",1,0.5\n"two\nlines",0,-3\nplain,1,1e3\n"say ""hi""",0,007\n';
  const file = tmpFile("data.csv", csv);
  const inMemory = (await readDataFile(file)).toList();
  const streamed = await IterableDataset.fromFile(file).toList();
  assert.equal(inMemory.length, 4);
  assert.deepEqual(streamed, inMemory);
  assert.equal(streamed[0].text, "hello, world");
  assert.equal(streamed[1].text, "two\nlines");
  assert.equal(streamed[3].text, 'say "hi"');
});

test("streaming TSV agrees with in-memory TSV; a wrong field count is the same bad row in both", async () => {
  const file = tmpFile("data.tsv", "sentence\tlabel\na \"quoted\" word\t1\ntoo\tmany\tfields\n");
  const inMemory = (await readDataFile(file, { on_bad_rows: "skip", warn: () => {} })).toList();
  const streamed = await IterableDataset.fromFile(file, { on_bad_rows: "skip" }).toList();
  assert.deepEqual(streamed, inMemory);
  assert.deepEqual(inMemory, [{ sentence: 'a "quoted" word', label: 1 }]);
  await assert.rejects(() => readDataFile(file), /data\.tsv:3: expected 2 fields/);
  await assert.rejects(() => IterableDataset.fromFile(file).toList(), /data\.tsv:3: expected 2 fields/);
});

test("an unterminated CSV quote names the file (in memory and streaming)", async () => {
  const file = tmpFile("broken.csv", 'text,label\n"never closed,1\nnext,0\n');
  await assert.rejects(() => readDataFile(file), (e: Error) => /\[data\] .*broken\.csv:\d+: .*[Qq]uote.*; close the quote/.test(e.message));
  await assert.rejects(() => IterableDataset.fromFile(file).toList(), (e: Error) => /\[data\] .*broken\.csv:\d+: .*close the quote/.test(e.message));
});

test("non-UTF-8 bytes in a data file are an error naming file and line, in memory and streaming", async () => {
  const latin1 = Buffer.concat([Buffer.from('{"text": "ok", "label": 0}\n{"text": "caf'), Buffer.from([0xe9]), Buffer.from('", "label": 1}\n')]);
  for (const name of ["data.jsonl", "data.csv"]) {
    const content = name.endsWith(".csv") ? Buffer.concat([Buffer.from("text,label\nok,0\ncaf"), Buffer.from([0xe9]), Buffer.from(",1\n")]) : latin1;
    const file = tmpFile(name, content);
    const want = new RegExp(`${name.replace(".", "\\.")}:(2|3): invalid UTF-8 byte 0xe9 .*iconv`);
    await assert.rejects(() => readDataFile(file), want);
    await assert.rejects(() => IterableDataset.fromFile(file).toList(), want);
  }
});

test("non-UTF-8 bytes in a YAML config are an error naming the file and line", () => {
  const file = tmpFile("config.yaml", Buffer.concat([Buffer.from("model:\n  name_or_path: caf"), Buffer.from([0xe9]), Buffer.from("\n")]));
  assert.throws(() => readYamlFile(file), /config\.yaml:2: invalid UTF-8 byte 0xe9/);
});

async function demoTokenizer() {
  const { AutoTokenizer } = await import("../../src/data/tokenizer.js");
  const { REPO_ROOT } = await import("../helpers/paths.js");
  return AutoTokenizer.fromPretrained(path.join(REPO_ROOT, "assets", "demo", "tokenizer"));
}

test("labels that are objects, null or empty are bad rows naming file and line (not a class \"[object Object]\" or a batch with no loss)", async () => {
  const { prepareTask } = await import("../../src/pipelines/tasks.js");
  const tok = await demoTokenizer();
  const file = tmpFile("train.jsonl", ['{"text": "good film", "label": "pos"}', '{"text": "bad film", "label": "neg"}', '{"text": "odd", "label": {"name": "pos"}}', '{"text": "blank", "label": null}', '{"text": "empty", "label": ""}'].join("\n") + "\n");
  const train = await readDataFile(file);
  assert.throws(() => prepareTask("text_classification", { train }, tok, { max_length: 16 }), (e: Error) => {
    assert.match(e.message, /train\.jsonl:3: label \{"name":"pos"\} is an object, not a class name or id/);
    assert.match(e.message, /train\.jsonl:4: the label in "label" is null/);
    assert.match(e.message, /train\.jsonl:5: the label in "label" is empty/);
    return true;
  });
  const skipped = prepareTask("text_classification", { train }, tok, { max_length: 16 }, "skip");
  assert.equal(skipped.splits.train.length, 2);
  assert.deepEqual(Object.values(skipped.config.id2label as Record<string, string>).sort(), ["neg", "pos"], "no class named [object Object]");
});

test("a tokenizer.json with an empty vocabulary or an unknown model type is refused, naming the key", async () => {
  const { AutoTokenizer } = await import("../../src/data/tokenizer.js");
  const tok = await demoTokenizer();
  const base = JSON.parse(JSON.stringify(tok.tokenizerJson)) as { model: { type?: string; vocab: unknown } };
  const write = (model: object) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-faults-tok-"));
    fs.writeFileSync(path.join(dir, "tokenizer.json"), JSON.stringify({ ...base, model: { ...base.model, ...model } }));
    return dir;
  };
  await assert.rejects(() => AutoTokenizer.fromPretrained(write({ vocab: {} })), /tokenizer\.json has an empty vocabulary \(model\.vocab\)/);
  await assert.rejects(() => AutoTokenizer.fromPretrained(write({ type: "CharLevelMagic" })), /tokenizer\.json model\.type is "CharLevelMagic", not one of BPE, WordPiece, WordLevel, Unigram/);
});

test("a data row longer than the field limit is a bad row, counted under on_bad_rows, in memory and streaming", async () => {
  const { MAX_FIELD_CHARS } = await import("../../src/data/bad_rows.js");
  const long = "a".repeat(MAX_FIELD_CHARS + 1);
  const file = tmpFile("big.jsonl", `{"text": "short"}\n{"text": "${long}"}\n`);
  await assert.rejects(() => readDataFile(file), /big\.jsonl:2: field "text" holds 1,000,001 characters, over the 1,000,000-character limit/);
  const kept = await readDataFile(file, { on_bad_rows: "skip", warn: () => {} });
  assert.equal(kept.length, 1);
  await assert.rejects(() => IterableDataset.fromFile(file).toList(), /big\.jsonl:2: field "text" holds 1,000,001 characters/);
});
