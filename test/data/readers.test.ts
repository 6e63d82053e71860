import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { loadDataset, readDataFile, readDataFileSync, splitOfFile, findSplitFiles, streamRows, IterableDataset, BadRowError } from "../../src/data/index.js";
import { tempDir, writeFiles } from "./helpers.js";

test("JSONL: every invalid line is reported with file:line at once, or skipped and counted", () => {
  const dir = tempDir();
  const file = path.join(dir, "train.jsonl");
  fs.writeFileSync(file, '{"text":"a","label":0}\n{"text": oops}\n\n[1,2]\n{"text":"b","label":1}\n');
  assert.throws(() => readDataFileSync(file), (err: Error) => {
    assert.ok(err instanceof BadRowError);
    assert.match(err.message, /2 bad rows/);
    assert.match(err.message, /train\.jsonl:2: invalid JSON/);
    assert.match(err.message, /train\.jsonl:4: expected a JSON object/);
    assert.match(err.message, /on_bad_rows: skip/);
    return true;
  });
  const warnings: string[] = [];
  const ds = readDataFileSync(file, { on_bad_rows: "skip", warn: (m) => warnings.push(m) });
  assert.equal(ds.length, 2);
  assert.deepEqual(ds.sourceOf(1), { file, line: 5 });
  assert.match(warnings[0], /skipped 2 bad rows/);
});

test("CSV with quotes, TSV without, JSON with a field, CoNLL and text", async () => {
  const dir = tempDir();
  writeFiles(dir, {
    "a.csv": 'text,label\n"hello, world",1\n"say ""hi""",0\nbroken\n',
    "b.tsv": 'sentence\tlabel\nit \'s "quoted" here \t1\n',
    "c.json": JSON.stringify({ version: 1, data: [{ q: "x" }, { q: "y" }] }),
    "d.conll": "-DOCSTART- O\n\nJohn\tB-PER\nlives\tO\n\nParis\tB-LOC\n",
    "e.txt": "first line\n\nsecond line\n",
  });
  assert.throws(() => readDataFileSync(path.join(dir, "a.csv")), /a\.csv:4: expected 2 fields \(text, label\), got 1/);
  const csv = readDataFileSync(path.join(dir, "a.csv"), { on_bad_rows: "skip", warn: () => {} });
  assert.deepEqual(csv.toList(), [{ text: "hello, world", label: 1 }, { text: 'say "hi"', label: 0 }]);
  assert.deepEqual(readDataFileSync(path.join(dir, "b.tsv")).toList(), [{ sentence: 'it \'s "quoted" here ', label: 1 }]);
  assert.deepEqual(readDataFileSync(path.join(dir, "c.json"), { field: "data" }).column("q"), ["x", "y"]);
  assert.throws(() => readDataFileSync(path.join(dir, "c.json"), { field: "rows" }), /no key "rows"/);
  assert.deepEqual(readDataFileSync(path.join(dir, "d.conll")).toList(), [{ tokens: ["John", "lives"], tags: ["B-PER", "O"] }, { tokens: ["Paris"], tags: ["B-LOC"] }]);
  assert.deepEqual(readDataFileSync(path.join(dir, "e.txt")).column("text"), ["first line", "second line"]);
  assert.throws(() => readDataFileSync(path.join(dir, "x.xlsx")), /cannot tell the format/);
});

test("Parquet files read through hyparquet", async () => {
  const dir = tempDir();
  const buf = parquetWriteBuffer({ columnData: [{ name: "text", data: ["good", "bad"] }, { name: "label", data: [1, 0], type: "INT32" }] });
  fs.writeFileSync(path.join(dir, "train.parquet"), Buffer.from(buf));
  const ds = await readDataFile(path.join(dir, "train.parquet"));
  assert.deepEqual(ds.toList(), [{ text: "good", label: 1 }, { text: "bad", label: 0 }]);
});

test("a folder's files are assigned to splits by name", async () => {
  assert.equal(splitOfFile("wnut17train.conll"), "train");
  assert.equal(splitOfFile("emerging.dev.conll"), "validation");
  assert.equal(splitOfFile("validation.jsonl"), "validation");
  assert.equal(splitOfFile("test.tsv"), "test");
  const dir = tempDir();
  writeFiles(dir, { "train.jsonl": '{"t":1}\n{"t":2}\n', "dev.jsonl": '{"t":3}\n', "test.jsonl": '{"t":4}\n', "notes.md": "x" });
  const splits = await loadDataset(dir);
  assert.deepEqual(Object.keys(splits).sort(), ["test", "train", "validation"]);
  assert.equal(splits.train.length, 2);
  const empty = tempDir();
  await assert.rejects(loadDataset(empty), /no split files found/);
});

test("streaming reads rows lazily with map/filter/take/skip and buffered shuffle", async () => {
  const dir = tempDir();
  const file = path.join(dir, "big.jsonl");
  fs.writeFileSync(file, Array.from({ length: 100 }, (_, i) => JSON.stringify({ i })).join("\n") + "\n");
  const first = [];
  for await (const r of streamRows(file)) {
    first.push(r.i);
    if (first.length === 3) break;
  }
  assert.deepEqual(first, [0, 1, 2]);
  const ds = IterableDataset.fromFile(file).filter((r) => (r.i as number) % 2 === 0).map((r) => ({ j: (r.i as number) * 10 })).skip(1).take(3);
  assert.deepEqual((await ds.toList()).map((r) => r.j), [20, 40, 60]);
  const a = (await IterableDataset.fromFile(file).shuffle({ seed: 1, buffer_size: 10 }).toList()).map((r) => r.i);
  const b = (await IterableDataset.fromFile(file).shuffle({ seed: 1, buffer_size: 10 }).toList()).map((r) => r.i);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, [...Array(100).keys()]);
  assert.deepEqual([...a].sort((x, y) => (x as number) - (y as number)), [...Array(100).keys()]);
});

test("split names must stand apart in a file name; a file named exactly for its split keeps look-alikes out", () => {
  assert.equal(splitOfFile("attest.jsonl"), null);
  assert.equal(splitOfFile("contest_results.csv"), null);
  assert.equal(splitOfFile("train-00000-of-00002.parquet"), "train");
  assert.equal(splitOfFile("test_copy.jsonl"), "test");
  const dir = tempDir();
  writeFiles(dir, { "train.jsonl": '{"t":1}\n', "test.jsonl": '{"t":2}\n', "test_copy.jsonl": '{"t":2}\n', "attest.jsonl": '{"t":3}\n' });
  const found = findSplitFiles(dir);
  assert.deepEqual(found.test, [path.join(dir, "test.jsonl")]);
  assert.deepEqual(found.ignored, [path.join(dir, "attest.jsonl"), path.join(dir, "test_copy.jsonl")]);
});

test("CSV/TSV cells: canonical numbers are numbers, anything else keeps its text; column_names and header: false, in memory and streamed", async () => {
  const dir = tempDir();
  writeFiles(dir, { "a.tsv": "3000 \t1\n007\t0\n1.50\t1\n" });
  const file = path.join(dir, "a.tsv");
  const named = readDataFileSync(file, { column_names: ["sentence", "label"] });
  assert.deepEqual(named.toList(), [{ sentence: "3000 ", label: 1 }, { sentence: "007", label: 0 }, { sentence: "1.50", label: 1 }]);
  assert.deepEqual(readDataFileSync(file, { header: false }).toList()[0], { column_0: "3000 ", column_1: 1 });
  const streamed: unknown[] = [];
  for await (const r of streamRows(file, { column_names: ["sentence", "label"] })) streamed.push(r);
  assert.deepEqual(streamed, named.toList());
  assert.throws(() => readDataFileSync(file, { column_names: ["only_one"] }), /column_names has 1 names \(only_one\) but the first row has 2 fields/);
});
