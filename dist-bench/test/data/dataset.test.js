import { test } from "node:test";
import assert from "node:assert/strict";
import { Dataset } from "../../src/data/index.js";
const rows = Array.from({ length: 100 }, (_, i) => ({ text: `t${i}`, label: i % 4 === 0 ? "a" : "b" }));
test("map (row and batched), filter, select and column edits", () => {
    const ds = Dataset.fromList(rows);
    const mapped = ds.map((r) => ({ len: r.text.length }));
    assert.equal(mapped.get(10).len, 3);
    const batched = ds.map((b) => ({ upper: b.text.map((t) => String(t).toUpperCase()) }), { batched: true, batch_size: 7 });
    assert.equal(batched.get(99).upper, "T99");
    assert.equal(batched.get(99).label, "b", "columns the function did not return are kept");
    const chunks = ds.map((b) => ({ n: [b.text.length] }), { batched: true, batch_size: 30 });
    assert.deepEqual(chunks.column("n"), [30, 30, 30, 10], "batched map may change the row count");
    assert.equal(ds.filter((r) => r.label === "a").length, 25);
    assert.deepEqual(ds.select([3, 1]).column("text"), ["t3", "t1"]);
    const renamed = ds.renameColumn("text", "sentence").removeColumns("label");
    assert.deepEqual(renamed.columnNames, ["sentence"]);
    assert.throws(() => ds.removeColumns("nope"), /no column "nope"; the columns are text, label/);
    assert.throws(() => ds.renameColumn("text", "label"), /already exists/);
});
test("shuffle is seeded; trainTestSplit keeps class proportions when stratified", () => {
    const ds = Dataset.fromList(rows);
    assert.deepEqual(ds.shuffle({ seed: 3 }).column("text"), ds.shuffle({ seed: 3 }).column("text"));
    assert.notDeepEqual(ds.shuffle({ seed: 3 }).column("text"), ds.shuffle({ seed: 4 }).column("text"));
    const { train, test: held } = ds.trainTestSplit({ test_size: 0.2, seed: 1, stratify_by_column: "label" });
    assert.equal(held.length, 20);
    assert.equal(train.length, 80);
    assert.equal(held.filter((r) => r.label === "a").length, 5, "25% of the test split is class a, as in the whole");
    const all = new Set([...train.column("text"), ...held.column("text")]);
    assert.equal(all.size, 100, "no row lost or duplicated");
    assert.throws(() => ds.trainTestSplit({ test_size: 100 }), /leaves one side empty/);
});
//# sourceMappingURL=dataset.test.js.map