// parsePeftConfig finds every problem of a config in one pass (unknown keys with the nearest
// valid name, bad types and values, cross-key checks); peftConfigProblems lists them for a
// caller that reports all problems together (the CLI), parsePeftConfig throws one error with all.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PeftConfigError, parsePeftConfig, peftConfigProblems } from "../../src/peft/index.js";
test("every problem of a LoRA config is found at once, each naming the key and the nearest valid name", () => {
    const dict = { peft_type: "LORA", r: 0, lora_alhpa: 16, lora_dropout: 2, bias: "nnoe", target_modules: 3, init_lora_weights: "pissa", zzz_unrelated: 1 };
    const problems = peftConfigProblems(dict);
    assert.equal(problems.length, 7, problems.join("\n"));
    const expectations = [
        /unknown LORA config key "lora_alhpa"; did you mean "lora_alpha"\?/,
        /unknown LORA config key "zzz_unrelated"; valid keys: .*lora_alpha/,
        /r must be a positive integer, got 0/,
        /lora_dropout must be in \[0, 1\), got 2/,
        /bias must be one of "none", "all", "lora_only", got "nnoe"; did you mean "none"\?/,
        /target_modules must be a list of module names, got 3/,
        /init_lora_weights must be true, false or "gaussian", got "pissa"/,
    ];
    for (const re of expectations)
        assert.ok(problems.some((p) => re.test(p)), `no problem matches ${re}`);
    try {
        parsePeftConfig(dict);
        assert.fail("parsePeftConfig accepted a bad config");
    }
    catch (err) {
        assert.ok(err instanceof PeftConfigError);
        assert.deepEqual(err.problems, problems);
        assert.match(err.message, /7 problems in the PEFT config:\n {2}- \[peft\] /);
    }
});
test("one problem throws as before; a valid config has none", () => {
    assert.throws(() => parsePeftConfig({ peft_type: "LORA", lora_alhpa: 16 }), (err) => err.problems.length === 1 && /did you mean "lora_alpha"/.test(err.message));
    assert.deepEqual(peftConfigProblems({ peft_type: "LORA", r: 4, lora_alpha: 8, target_modules: ["query"] }), []);
    assert.deepEqual(peftConfigProblems({ peft_type: "PREFIX_TUNING", num_virtual_tokens: 4, prefix_projection: true }), []);
});
test("every method gathers its problems: prompt/prefix tuning, adapters, IA3, BitFit, task_type, peft_type", () => {
    const prompt = peftConfigProblems({ peft_type: "PROMPT_TUNING", prompt_tuning_init: "TEXT", token_dim: -1 });
    assert.ok(prompt.some((p) => /num_virtual_tokens is required/.test(p)));
    assert.ok(prompt.some((p) => /token_dim must be a positive integer, got -1/.test(p)));
    assert.ok(prompt.some((p) => /prompt_tuning_init "TEXT" needs prompt_tuning_init_text/.test(p)));
    const prefix = peftConfigProblems({ peft_type: "PREFIX_TUNING", num_virtual_tokens: 0, prefix_projection: "yes", r: 8 });
    assert.equal(prefix.length, 3, prefix.join("\n"));
    const adapter = peftConfigProblems({ peft_type: "BOTTLENECK_ADAPTER", adapter_type: "houlsbi", non_linearity: "relu6x", bottleneck_size: 1.5 });
    assert.ok(adapter.some((p) => /adapter_type must be one of "houlsby", "pfeiffer", got "houlsbi"; did you mean "houlsby"\?/.test(p)));
    assert.ok(adapter.some((p) => /non_linearity: unknown hidden_act "relu6x"/.test(p)));
    assert.ok(adapter.some((p) => /bottleneck_size must be a positive integer, got 1.5/.test(p)));
    const ia3 = peftConfigProblems({ peft_type: "IA3", target_modules: ["key"], feedforward_modules: ["output.dense"], fan_in_fan_out: 1 });
    assert.equal(ia3.length, 2, ia3.join("\n"));
    assert.deepEqual(peftConfigProblems({ peft_type: "BITFIT", task_type: "SEQ_CLSS", target_module: ["query"] }).length, 2);
    assert.match(peftConfigProblems({ peft_type: "LORAA" })[0], /unknown peft_type "LORAA"; supported: LORA/);
    assert.match(peftConfigProblems({ r: 4 })[0], /no peft_type/);
});
//# sourceMappingURL=parse.test.js.map