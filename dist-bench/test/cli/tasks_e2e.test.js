// Other tasks through the CLI: causal-LM instruction tuning (prompt/completion) and token
// classification on WNUT-17. Every method's adapter-only checkpoints and exact resume: methods.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { datasetsDir, skipIfMissing } from "../helpers/paths.js";
import { readJson, tempDir, tunelab, writeConfig } from "./helpers.js";
const GPT2_TOK = path.join(datasetsDir, "tokenizers", "gpt2");
const BERT_VOCAB = path.join(datasetsDir, "tokenizers", "bert-base-uncased");
const WNUT = path.join(datasetsDir, "wnut17");
test("causal LM: prompt/completion rows train a tiny GPT-2 from a config; perplexity is reported", { skip: skipIfMissing(GPT2_TOK) }, () => {
    const dir = tempDir();
    const rows = Array.from({ length: 64 }, (_, i) => JSON.stringify({ prompt: `Q: what is ${i % 8} plus one?`, completion: ` A: ${(i % 8) + 1}.` }));
    fs.writeFileSync(path.join(dir, "train.jsonl"), rows.join("\n") + "\n");
    fs.writeFileSync(path.join(dir, "arch.json"), JSON.stringify({ model_type: "gpt2", vocab_size: 50257, n_embd: 32, n_layer: 1, n_head: 2, n_positions: 64 }));
    const cfg = writeConfig(dir, {
        model: { from_config: "arch.json" }, tokenizer: GPT2_TOK,
        task: { type: "causal_lm", max_length: 32 },
        dataset: { train_file: "train.jsonl", validation_split: 8 },
        training: { output_dir: "out", max_steps: 12, per_device_train_batch_size: 8, learning_rate: 3e-3, eval_strategy: "steps", eval_steps: 12, save_strategy: "no", logging_steps: 6 },
    });
    const r = tunelab(["train", cfg, "--quiet"]);
    assert.equal(r.status, 0, r.output);
    const res = readJson(path.join(dir, "out", "all_results.json"));
    assert.ok(res.eval_perplexity > 1 && Number.isFinite(res.eval_perplexity));
    assert.ok(res.eval_loss < Math.log(50257), `loss ${res.eval_loss} fell below uniform`);
});
test("token classification: WNUT-17 CoNLL through the CLI reports entity F1", { skip: skipIfMissing(WNUT) || skipIfMissing(BERT_VOCAB) }, () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "arch.json"), JSON.stringify({ model_type: "bert", vocab_size: 30522, hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 64, max_position_embeddings: 64 }));
    const cfg = writeConfig(dir, {
        model: { from_config: "arch.json" }, tokenizer: BERT_VOCAB,
        task: { type: "token_classification", max_length: 48 },
        dataset: { train_file: path.join(WNUT, "wnut17train.conll"), validation_file: path.join(WNUT, "emerging.dev.conll"), max_train_samples: 64, max_eval_samples: 32 },
        training: { output_dir: "out", max_steps: 4, per_device_train_batch_size: 16, eval_strategy: "steps", eval_steps: 4, save_strategy: "no", logging_steps: 2 },
    });
    const r = tunelab(["train", cfg, "--quiet"]);
    assert.equal(r.status, 0, r.output);
    const res = readJson(path.join(dir, "out", "all_results.json"));
    for (const k of ["eval_f1", "eval_precision", "eval_recall", "eval_accuracy"])
        assert.ok(k in res, k);
    const config = readJson(path.join(dir, "out", "config.json"));
    assert.equal(Object.keys(config.id2label).length, 13);
    assert.equal(config.id2label[0], "O");
});
//# sourceMappingURL=tasks_e2e.test.js.map