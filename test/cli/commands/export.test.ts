// `tunelab export`: an adapter folder is merged into its base and exported (onnxruntime then
// gives the merged model's logits); the GGUF path writes a file; bad flags fail with exit 1
// and a message naming the valid values.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ort from "onnxruntime-node";
import { manualSeed, noGrad, tensor } from "../../../src/tensor/index.js";
import { AutoModelForCausalLM } from "../../../src/models/auto.js";
import { getPeftModel } from "../../../src/peft/index.js";
import { AutoTokenizer } from "../../../src/data/tokenizer.js";
import { exportCommand } from "../../../src/cli/commands/export.js";
import { datasetsDir, skipIfMissing } from "../../helpers/paths.js";
import { tempDir, tunelab } from "../helpers.js";

const quiet = { info: () => {}, warn: () => {} };
const stories = path.join(datasetsDir, "stories260k", "hf");

test("tunelab export merges an adapter folder into its base, and the ONNX export gives the merged logits", { skip: !process.env.CI && skipIfMissing(stories) }, async () => {
  const dir = tempDir("tunelab-export-");
  try {
    manualSeed(31);
    const base = path.join(dir, "base");
    const model = AutoModelForCausalLM.fromConfig({ model_type: "llama", vocab_size: 512, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2 });
    model.savePretrained(base);
    (await AutoTokenizer.fromPretrained(stories)).savePretrained(base);
    const peft = getPeftModel(await AutoModelForCausalLM.fromPretrained(base), { peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 8, target_modules: ["q_proj", "v_proj"], init_lora_weights: false });
    const adapter = path.join(dir, "adapter");
    peft.savePretrained(adapter);
    const ids = [[1, 44, 9, 300]];
    const merged = peft.mergeAndUnload().eval();
    const expected = noGrad(() => merged.forward({ input_ids: tensor(ids, { dtype: "int32" }) }).logits.toFloat32Array());
    const unmerged = noGrad(() => model.forward({ input_ids: tensor(ids, { dtype: "int32" }) }).logits.toFloat32Array());

    const out = await exportCommand(adapter, { format: "onnx", out: path.join(dir, "onnx") }, quiet);
    const session = await ort.InferenceSession.create(path.join(out, "onnx", "model.onnx"));
    const i64 = (rows: number[][]) => new ort.Tensor("int64", BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, rows[0].length]);
    const feeds: Record<string, ort.Tensor> = { input_ids: i64(ids), attention_mask: i64([[1, 1, 1, 1]]), position_ids: i64([[0, 1, 2, 3]]) };
    for (const part of ["key", "value"]) feeds[`past_key_values.0.${part}`] = new ort.Tensor("float32", new Float32Array(0), [1, 2, 0, 8]);
    const got = (await session.run(feeds)).logits.data as Float32Array;
    let diff = 0;
    let adapterEffect = 0;
    for (let i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - expected[i]));
      adapterEffect = Math.max(adapterEffect, Math.abs(expected[i] - unmerged[i]));
    }
    assert.ok(diff < 1e-4, `max |onnx - merged| = ${diff}`);
    assert.ok(adapterEffect > 1e-3, "the adapter changes the logits, so the check can tell merged from unmerged");
    assert.ok(fs.existsSync(path.join(out, "tokenizer.json")));

    const gguf = await exportCommand(adapter, { format: "gguf", outtype: "q8_0", out: path.join(dir, "m.gguf") }, quiet);
    assert.equal(fs.readFileSync(gguf).subarray(0, 4).toString("latin1"), "GGUF");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("tunelab export refuses unknown formats and outtypes with exit 1 and the valid values", () => {
  const bad = tunelab(["export", "assets/demo/model", "--format", "tflite", "--out", "/tmp/never"]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--format "tflite" is not supported; use one of: onnx, gguf/);
  const q = tunelab(["export", "assets/demo/model", "--format", "gguf", "--outtype", "q3_k", "--out", "/tmp/never.gguf"]);
  assert.equal(q.status, 1);
  assert.match(q.stderr, /--outtype "q3_k" is not supported; use one of: f32, f16, q8_0, q4_0/);
  assert.equal(fs.existsSync("/tmp/never.gguf"), false);
});
