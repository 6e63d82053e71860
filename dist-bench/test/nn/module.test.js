import { test } from "node:test";
import assert from "node:assert/strict";
import { zeros } from "../../src/tensor/index.js";
import { Module, listKeys } from "../../src/nn/index.js";
import { copyIntoTargets } from "../../src/peft/save_and_load.js";
const keys = (n) => Array.from({ length: n }, (_, i) => `layer.${i}.weight`);
test("listKeys quotes the first 8 keys, counts the rest, and says (none) for an empty list", () => {
    assert.equal(listKeys([]), "(none)");
    assert.equal(listKeys(["a", "b"]), '"a", "b"');
    assert.equal(listKeys(keys(10)), keys(8).map((k) => `"${k}"`).join(", ") + " and 2 more");
});
test("a strict state-dict load and an adapter load list mismatched keys the same way", () => {
    const m = new Module();
    m.addParameter("weight", zeros([2]));
    const state = new Map(keys(10).map((k) => [k, zeros([2])]));
    assert.throws(() => m.loadStateDict(state, { strict: true }), { message: `[load] state dict mismatch: missing keys "weight"; unexpected keys ${listKeys(keys(10))}` });
    assert.throws(() => copyIntoTargets(state, new Map(), "adapter"), (err) => err.message.includes(`keys with no module here: ${listKeys(keys(10))};`));
});
//# sourceMappingURL=module.test.js.map