// `dataset: { streaming: true }` through the CLI: the train file is read as training goes
// (shuffled with a seeded buffer, encoded chunk by chunk, packed on the fly), resumes
// exactly, reads the label set in a pass of its own, and the config says what a stream
// cannot do before any work starts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
import { DEMO_DIR, demoConfig, readJson, tempDir, tunelab, writeConfig } from "./helpers.js";
const STORIES = path.join(datasetsDir, "stories260k", "hf");
const lossesOf = (ckpt) => readJson(path.join(ckpt, "trainer_state.json")).log_history.filter((e) => "loss" in e).map((e) => [e.step, e.loss]);
test("streaming causal LM with packing trains from a JSONL stream and resumes exactly", { skip: skipIfMissing(STORIES) }, () => {
    const dir = tempDir();
    const names = ["Lily", "Tom", "Ben", "Sue", "Max"];
    const rows = Array.from({ length: 80 }, (_, i) => JSON.stringify({ text: `${names[i % 5]} went to the park and saw ${i % 7} big dogs.` }));
    fs.writeFileSync(path.join(dir, "train.jsonl"), rows.join("\n") + "\n");
    fs.writeFileSync(path.join(dir, "validation.jsonl"), rows.slice(0, 6).join("\n") + "\n");
    fs.writeFileSync(path.join(dir, "arch.json"), JSON.stringify({ model_type: "llama", vocab_size: 512, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, bos_token_id: 1, eos_token_id: 2 }));
    const config = (out) => ({
        model: { from_config: "arch.json" }, tokenizer: STORIES,
        task: { type: "causal_lm", max_length: 24, packing: true },
        dataset: { train_file: "train.jsonl", validation_file: "validation.jsonl", streaming: true, shuffle_buffer_size: 16 },
        training: { output_dir: out, max_steps: 40, per_device_train_batch_size: 4, learning_rate: 3e-3, logging_steps: 2, save_strategy: "steps", save_steps: 10, eval_strategy: "steps", eval_steps: 40, seed: 9 },
    });
    const r = tunelab(["train", writeConfig(dir, config("full"), "full.yaml"), "--quiet"]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /\[train\] causal_lm on a stream of .*train\.jsonl \(max_steps 40\)/);
    const res = readJson(path.join(dir, "full", "all_results.json"));
    assert.ok(res.eval_perplexity > 1 && res.eval_perplexity < 512, `perplexity ${res.eval_perplexity}`);
    const state = readJson(path.join(dir, "full", "checkpoint-40", "trainer_state.json"));
    assert.ok(state.epoch >= 1, "40 steps of 4 packed blocks outrun one pass over the file");
    const rng = readJson(path.join(dir, "full", "checkpoint-10", "rng_state.json"));
    assert.equal(rng.data.examples_in_epoch, 40, "10 steps of 4 blocks consumed");
    fs.mkdirSync(path.join(dir, "resumed"));
    fs.cpSync(path.join(dir, "full", "checkpoint-30"), path.join(dir, "resumed", "checkpoint-30"), { recursive: true });
    const r2 = tunelab(["train", writeConfig(dir, config("resumed"), "resumed.yaml"), "--resume", "--quiet"]);
    assert.equal(r2.status, 0, r2.output);
    assert.deepEqual(lossesOf(path.join(dir, "resumed", "checkpoint-40")), lossesOf(path.join(dir, "full", "checkpoint-40")));
});
test("streaming classification reads the label set in one pass and evaluates on the in-memory validation split", () => {
    const dir = tempDir();
    const cfg = demoConfig(path.join(dir, "out"), { num_train_epochs: undefined, max_steps: 6, eval_strategy: "steps", eval_steps: 6, save_strategy: "no" });
    cfg.dataset.streaming = true;
    const r = tunelab(["train", writeConfig(dir, cfg), "--quiet"]);
    assert.equal(r.status, 0, r.output);
    const config = readJson(path.join(dir, "out", "config.json"));
    assert.deepEqual(config.id2label, { 0: "negative", 1: "positive" });
    assert.ok("eval_accuracy" in readJson(path.join(dir, "out", "all_results.json")));
});
test("a streaming config without max_steps, or with validation_split, is refused before any work", () => {
    const dir = tempDir();
    const cfg = demoConfig(path.join(dir, "out"));
    cfg.dataset = { train_file: path.join(DEMO_DIR, "data", "train.jsonl"), streaming: true, validation_split: 0.1, shuffle_buffer_size: -1 };
    const r = tunelab(["train", writeConfig(dir, cfg)]);
    assert.equal(r.status, 2, r.output);
    assert.match(r.output, /dataset\.streaming: a stream has no length, so set training\.max_steps/);
    assert.match(r.output, /dataset\.validation_split: cannot carve a validation split out of a stream/);
    assert.match(r.output, /dataset\.shuffle_buffer_size: must be a whole number of rows/);
    assert.ok(!fs.existsSync(path.join(dir, "out")), "nothing was started");
});
//# sourceMappingURL=streaming.test.js.map