import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEMO_DIR, readJson, tempDir, tunelab, writeConfig } from "./helpers.js";
import { REPO_ROOT } from "../helpers/paths.js";
test("quickstart: offline, shows before/after and the from-scratch baseline, and where the run is", () => {
    const out = path.join(tempDir(), "qs");
    const r = tunelab(["quickstart", "--output-dir", out, "--quiet"]);
    assert.equal(r.status, 0, r.output);
    const pct = (label) => Number(label.exec(r.stdout)?.[1]);
    const before = pct(/before fine-tuning\s+([\d.]+)%/);
    const after = pct(/after fine-tuning\s+([\d.]+)%/);
    const scratch = pct(/random init, same budget\s+([\d.]+)%/);
    assert.ok(after >= 90, `after ${after}%`);
    assert.ok(before < 70, `before ${before}%`);
    assert.ok(after - scratch >= 25, `pretraining must clearly beat random init: ${after}% vs ${scratch}%`);
    assert.match(r.stdout, new RegExp(`Run folder: ${out.replace(/[/.]/g, "\\$&")}`));
    assert.ok(fs.existsSync(path.join(out, "pretrained", "model.safetensors")));
    assert.ok(fs.existsSync(path.join(out, "quickstart.yaml")), "the config to re-run is saved");
});
test("the shipped demo model is small, tunelab-made, with its recipe beside it", () => {
    const size = fs.readdirSync(path.join(DEMO_DIR, "model")).reduce((n, f) => n + fs.statSync(path.join(DEMO_DIR, "model", f)).size, 0);
    assert.ok(size < 5 * 1024 * 1024, `${size} bytes`);
    assert.equal(readJson(path.join(DEMO_DIR, "model", "config.json")).architectures[0], "BertForMaskedLM");
    for (const f of ["build-demo-model.sh", "build-demo-model.yaml", "build-demo-model.config.json", "build-demo-model.data.mjs"]) {
        assert.ok(fs.existsSync(path.join(REPO_ROOT, "scripts", f)), f);
    }
});
test("pretrain: masked-LM from a config.json architecture, then fine-tune the result", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "corpus.txt"), Array.from({ length: 200 }, (_, i) => (i % 2 ? "we loved the film , it was superb ." : "we hated the meal , it was awful .")).join("\n") + "\n");
    const arch = readJson(path.join(REPO_ROOT, "scripts", "build-demo-model.config.json"));
    fs.writeFileSync(path.join(dir, "arch.json"), JSON.stringify({ ...arch, num_hidden_layers: 1 }));
    const cfg = writeConfig(dir, {
        model: { from_config: "arch.json" },
        tokenizer: path.join(DEMO_DIR, "tokenizer"),
        task: { type: "masked_lm", max_length: 16, packing: false },
        dataset: { train_file: "corpus.txt", validation_split: 0.1 },
        training: { output_dir: "lm", max_steps: 20, per_device_train_batch_size: 16, learning_rate: 3e-3, logging_steps: 10 },
    });
    const r = tunelab(["pretrain", cfg, "--quiet"]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /masked_lm from a random initialisation/);
    assert.match(r.output, /validation perplexity [\d.]+/);
    const results = readJson(path.join(dir, "lm", "all_results.json"));
    assert.ok(results.eval_perplexity < 209, `perplexity ${results.eval_perplexity} is below the vocabulary size`);
    // Continued pretraining from the saved folder, then fine-tuning it, both work.
    const more = tunelab(["pretrain", cfg, "--set", "model=lm", "--set", "training.output_dir=lm2", "--set", "max_steps=5", "--quiet"]);
    assert.equal(more.status, 0, more.output);
    assert.match(more.output, /continuing from .*lm/);
    const ft = writeConfig(dir, {
        model: "lm2", task: "text_classification", dataset: { path: path.join(DEMO_DIR, "data"), max_train_samples: 32, max_eval_samples: 32 },
        training: { output_dir: "ft", max_steps: 4, save_strategy: "no", eval_strategy: "no" },
    }, "ft.yaml");
    const f = tunelab(["train", ft, "--quiet"]);
    assert.equal(f.status, 0, f.output);
});
//# sourceMappingURL=quickstart_pretrain.test.js.map