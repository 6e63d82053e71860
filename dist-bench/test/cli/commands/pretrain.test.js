import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEMO_DIR, readJson, tempDir, tunelab, writeConfig } from "../helpers.js";
function corpus(dir) {
    fs.writeFileSync(path.join(dir, "corpus.txt"), Array.from({ length: 40 }, (_, i) => (i % 2 ? "we loved the film , it was superb ." : "we hated the meal , it was awful .")).join("\n") + "\n");
}
const TINY_LLAMA = { model_type: "llama", vocab_size: 209, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, max_position_embeddings: 64 };
// The config is read once with the overrides applied: a streamed run whose max_steps comes only
// from --set picks its task from the model (a decoder: causal_lm) and runs exactly that many steps.
test("pretrain honours --set training.max_steps=2 and takes the default task from the model", () => {
    const dir = tempDir();
    corpus(dir);
    const cfg = writeConfig(dir, {
        model: { from_config: TINY_LLAMA },
        tokenizer: path.join(DEMO_DIR, "tokenizer"),
        dataset: { train_file: "corpus.txt", streaming: true, shuffle_buffer_size: 0 },
        training: { output_dir: "lm", per_device_train_batch_size: 4, logging_steps: 1 },
    });
    const r = tunelab(["pretrain", cfg, "--set", "training.max_steps=2", "--quiet"]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /\[pretrain\] causal_lm from a random initialisation/);
    const steps = fs.readFileSync(path.join(dir, "lm", "trainer_log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l).step);
    assert.equal(Math.max(...steps), 2, `steps logged: ${steps.join(", ")}`);
    assert.ok(readJson(path.join(dir, "lm", "config.json")).model_type === "llama");
});
test("pretrain reports every configuration problem at once, the model's among them", () => {
    const dir = tempDir();
    corpus(dir);
    const cfg = writeConfig(dir, {
        model: { from_config: "missing.json" },
        tokenizer: path.join(DEMO_DIR, "tokenizer"),
        dataset: { train_file: "corpus.txt" },
        training: { output_dir: "lm", max_steps: 2, learning_rat: 1e-3 },
    });
    const r = tunelab(["pretrain", cfg, "--set", "dataset.on_bad_rows=maybe", "--quiet"]);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /3 problems in the configuration/, r.output);
    assert.match(r.output, /model\.from_config: .*missing\.json does not exist/);
    assert.match(r.output, /learning_rat/);
    assert.match(r.output, /dataset\.on_bad_rows: must be "fail" or "skip", got "maybe"/);
});
test("pretrain without a task says when the model's config cannot tell masked_lm from causal_lm", () => {
    const dir = tempDir();
    corpus(dir);
    fs.mkdirSync(path.join(dir, "broken"));
    fs.writeFileSync(path.join(dir, "broken", "config.json"), "{ not json");
    const cfg = writeConfig(dir, {
        model: "./broken", tokenizer: path.join(DEMO_DIR, "tokenizer"),
        dataset: { train_file: "corpus.txt" }, training: { output_dir: "lm", max_steps: 2 },
    });
    const r = tunelab(["pretrain", cfg, "--quiet"]);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /task: not given.*config\.json: invalid JSON.*set task: masked_lm or causal_lm/, r.output);
    assert.match(r.output, /broken[/\\]config\.json/);
});
//# sourceMappingURL=pretrain.test.js.map