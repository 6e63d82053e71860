// ModuleDict / ParameterDict own their entries: replacing one (an adapter re-created under the
// same name) frees the old tensors instead of leaking persistent memory.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor } from "../../src/tensor/index.js";
import { Linear } from "../../src/nn/index.js";
import { LoraLayer, ModuleDict, ParameterDict } from "../../src/peft/index.js";
test("ModuleDict.set and ParameterDict.set free what they replace", () => {
    const modules = new ModuleDict();
    const first = modules.set("default", new Linear(2, 2));
    modules.set("default", first); // the same module again: nothing freed
    assert.equal(first.weight.isFreed, false);
    const second = modules.set("default", new Linear(2, 2));
    assert.equal(first.weight.isFreed, true);
    assert.equal(modules.get("default"), second);
    assert.deepEqual([...modules.stateDict().keys()].sort(), ["default.bias", "default.weight"]);
    const params = new ParameterDict();
    const a = params.set("default", tensor([1, 2]));
    params.set("default", tensor([3, 4]));
    assert.equal(a.isFreed, true);
    assert.deepEqual(params.get("default").tolist(), [3, 4]);
});
test("LoraLayer.updateLayer under an existing adapter name frees the old lora_A / lora_B", () => {
    const layer = new LoraLayer(new Linear(4, 3));
    const opts = { r: 2, alpha: 4, dropout: 0, init: true, useRslora: false, useDora: false };
    layer.updateLayer("default", opts);
    const oldA = layer.lora_A.get("default").weight;
    const oldB = layer.lora_B.get("default").weight;
    layer.updateLayer("default", { ...opts, r: 3 });
    assert.ok(oldA.isFreed && oldB.isFreed);
    assert.deepEqual(layer.lora_A.get("default").weight.shape, [3, 4]);
});
//# sourceMappingURL=modules_to_save.test.js.map