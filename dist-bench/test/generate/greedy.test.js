// Greedy generation: stops per row at eos (padding finished rows with it), refuses sampling
// and ragged batches, and restores the model's training mode.
import { test } from "node:test";
import assert from "node:assert/strict";
import { bufferCache, manualSeed } from "../../src/tensor/index.js";
import { LlamaConfig } from "../../src/models/llama/config.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { generate } from "../../src/generate/greedy.js";
function model() {
    manualSeed(1);
    return new LlamaForCausalLM(LlamaConfig.fromDict({ vocab_size: 16, hidden_size: 8, intermediate_size: 12, num_hidden_layers: 1, num_attention_heads: 2 }));
}
test("generate stops at eos and pads finished rows with it", () => {
    const m = model();
    const free = generate(m, [[3, 4], [5, 6]], { max_new_tokens: 6, eos_token_id: [] });
    const eos = free[0][2]; // the first token row 0 emits
    const out = generate(m, [[3, 4], [5, 6]], { max_new_tokens: 6, eos_token_id: eos });
    assert.deepEqual(out[0].slice(0, 3), [3, 4, eos]);
    assert.ok(out[0].slice(3).every((t) => t === eos), `row 0 after eos: ${out[0].slice(3)}`);
    const stop = free[1].indexOf(eos, 2);
    assert.deepEqual(out[1], stop < 0 ? free[1] : [...free[1].slice(0, stop + 1), ...Array(free[1].length - stop - 1).fill(eos)].slice(0, out[1].length));
});
test("generate refuses sampling and ragged rows, and restores training mode", () => {
    const m = model().train();
    assert.throws(() => generate(m, [[1, 2]], { do_sample: true }), /do_sample: true is not supported yet/);
    assert.throws(() => generate(m, [[1, 2], [3]]), /same length/);
    generate(m, [[1, 2]], { max_new_tokens: 2 });
    assert.equal(m.training, true);
});
// A decode step that fails must not strand the KV cache: the kept past (from the steps before)
// and the cache the failing step had already kept are both released.
for (const [what, failure] of [
    ["forward throws", "forward"],
    ["the step's logits cannot be read after its cache was kept", "logits"],
]) {
    test(`generate frees the KV cache when the 2nd decode step fails (${what})`, () => {
        const m = model();
        const forward = m.forward.bind(m);
        let calls = 0;
        m.forward = ((inputs) => {
            if (++calls === 2 && failure === "forward")
                throw new Error("step 2 failed");
            const out = forward(inputs);
            if (calls === 2)
                out.logits.dispose(); // nextTokens then throws, after the cache was kept
            return out;
        });
        generate(m, [[3, 4]], { max_new_tokens: 1 }); // warm the buffer pool
        calls = 0;
        const before = bufferCache.liveBytes;
        assert.throws(() => generate(m, [[3, 4], [5, 6]], { max_new_tokens: 4, eos_token_id: [] }), failure === "forward" ? /step 2 failed/ : /dispos/);
        assert.equal(calls, 2);
        assert.equal(bufferCache.liveBytes, before);
    });
}
//# sourceMappingURL=greedy.test.js.map