// `tunelab train` on a causal-LM task with `packing: true`: the examples become
// ceil(total tokens / max_length) blocks, and training on them lowers the loss.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
import { tempDir, tunelab, writeConfig } from "./helpers.js";
const STORIES = path.join(datasetsDir, "stories260k", "hf");
test("train causal_lm with packing: true trains on max_length blocks of the concatenated examples", { skip: skipIfMissing(STORIES) }, async () => {
    const dir = tempDir();
    const texts = Array.from({ length: 40 }, (_, i) => `Tom had ${i % 6} red balls and ${i % 4} blue cars.`);
    fs.writeFileSync(path.join(dir, "train.jsonl"), texts.map((text) => JSON.stringify({ text })).join("\n") + "\n");
    fs.writeFileSync(path.join(dir, "arch.json"), JSON.stringify({ model_type: "llama", vocab_size: 512, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 1, num_attention_heads: 2, bos_token_id: 1, eos_token_id: 2 }));
    const cfg = writeConfig(dir, {
        model: { from_config: "arch.json" }, tokenizer: STORIES,
        task: { type: "causal_lm", max_length: 32, packing: true },
        dataset: { train_file: "train.jsonl" },
        training: { output_dir: "out", num_train_epochs: 4, per_device_train_batch_size: 4, learning_rate: 1e-2, logging_steps: 1, save_strategy: "no" },
    });
    const r = tunelab(["train", cfg, "--quiet"]);
    assert.equal(r.status, 0, r.output);
    const tok = await AutoTokenizer.fromPretrained(STORIES);
    const tokens = texts.reduce((n, t) => n + tok.encode(t).length + 1, 0);
    const blocks = Math.ceil(tokens / 32);
    assert.match(r.output, new RegExp(`\\[train\\] causal_lm on ${blocks} examples`));
    const log = fs.readFileSync(path.join(dir, "out", "trainer_log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((e) => "loss" in e);
    assert.equal(log.length, Math.ceil(blocks / 4) * 4);
    assert.ok(log.at(-1).loss < log[0].loss - 1, `loss ${log[0].loss} → ${log.at(-1).loss}`);
});
//# sourceMappingURL=packing.test.js.map