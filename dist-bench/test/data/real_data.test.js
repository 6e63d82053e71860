// Readers on the real data sets beside the repository (skipped with a message when absent).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { loadDataset, readDataFile } from "../../src/data/index.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
const SST2 = path.join(datasetsDir, "sst2");
const WNUT = path.join(datasetsDir, "wnut17");
const ALPACA = path.join(datasetsDir, "alpaca", "alpaca_5000.json");
test("SST-2 TSV: every row of dev.tsv, sentence text and integer labels", { skip: skipIfMissing(SST2) }, async () => {
    const dev = await readDataFile(path.join(SST2, "dev.tsv"));
    assert.equal(dev.length, 6735);
    assert.deepEqual(dev.columnNames, ["sentence", "label"]);
    assert.ok(dev.rows.every((r) => r.label === 0 || r.label === 1));
    assert.ok(dev.rows.every((r) => typeof r.sentence === "string" && r.sentence.length > 0));
    const splits = await loadDataset(SST2);
    assert.deepEqual(Object.keys(splits).sort(), ["test", "train", "validation"]);
    assert.equal(splits.train.length, 60614);
});
test("WNUT-17 CoNLL: sentences of tokens with BIO tags", { skip: skipIfMissing(WNUT) }, async () => {
    const train = await readDataFile(path.join(WNUT, "wnut17train.conll"));
    assert.equal(train.length, 3394);
    assert.equal(train.rows.reduce((n, r) => n + r.tokens.length, 0), 62730);
    const tags = new Set(train.rows.flatMap((r) => r.tags));
    assert.equal(tags.size, 13);
    const bTags = train.rows.reduce((n, r) => n + r.tags.filter((t) => t.startsWith("B-")).length, 0);
    assert.equal(bTags, 1975);
    const dev = await readDataFile(path.join(WNUT, "emerging.dev.conll"));
    assert.equal(dev.length, 1009);
});
test("Alpaca JSON: 5,000 instruction rows", { skip: skipIfMissing(ALPACA) }, async () => {
    const ds = await readDataFile(ALPACA);
    assert.equal(ds.length, 5000);
    for (const k of ["instruction", "input", "output"])
        assert.ok(ds.columnNames.includes(k), `column ${k}`);
    const prompts = ds.map((r) => ({ prompt: `${r.instruction}\n${r.input}`.trim(), completion: r.output }));
    assert.equal(prompts.get(0).completion, ds.get(0).output);
});
//# sourceMappingURL=real_data.test.js.map