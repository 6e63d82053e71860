import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readJsonFile, writeJsonAtomic } from "../../src/io/json.js";
test("readJsonFile: values, BOM, and errors naming the file and the line:column", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-json-"));
    const file = path.join(dir, "config.json");
    fs.writeFileSync(file, '\ufeff{"a": [1, 2]}');
    assert.deepEqual(readJsonFile(file), { a: [1, 2] });
    fs.writeFileSync(file, '{\n  "a": 1,\n  "b": 2,\n}\n');
    assert.throws(() => readJsonFile(file), new RegExp(`^Error: \\[json\\] ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: invalid JSON at line 4 column 1: .*; fix or re-create the file$`));
    assert.throws(() => readJsonFile(file, { where: "config" }), /^Error: \[config\] /);
    assert.throws(() => readJsonFile(path.join(dir, "missing.json")), /\[json\] .*missing\.json: file not found; check the path/);
    assert.throws(() => readJsonFile(dir), /not a regular file/);
    fs.writeFileSync(file, JSON.stringify({ big: "x".repeat(100) }));
    assert.throws(() => readJsonFile(file, { maxBytes: 50 }), /file is 110 bytes, over the 50-byte limit/);
    fs.rmSync(dir, { recursive: true });
});
test("writeJsonAtomic: 2-space indent, trailing newline, no temporary file left, replaces atomically", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-json-"));
    const file = path.join(dir, "sub", "out.json");
    writeJsonAtomic(file, { a: 1, b: [true, null] });
    assert.equal(fs.readFileSync(file, "utf8"), '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n');
    writeJsonAtomic(file, []);
    assert.equal(fs.readFileSync(file, "utf8"), "[]\n");
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["out.json"]);
    assert.throws(() => writeJsonAtomic(file, undefined), /value is not JSON-serialisable/);
    fs.rmSync(dir, { recursive: true });
});
//# sourceMappingURL=json.test.js.map