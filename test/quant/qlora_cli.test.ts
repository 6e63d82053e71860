// QLoRA through the CLI and the library: `method: qlora` loads the base in 4 bits (NF4 +
// double quantization by default, or the `quantization:` section), trains LoRA on it, and a
// bad quantization section is reported with the other config problems. In memory, the qlora
// variant quantizes an already loaded model.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { applyMethod } from "../../src/peft/index.js";
import { Linear4bit } from "../../src/quant/linear4bit.js";
import { Linear8bit } from "../../src/quant/linear8bit.js";
import { loadTrained } from "../../src/pipelines/index.js";
import { AutoModelForSequenceClassification } from "../../src/models/index.js";
import * as ort from "onnxruntime-node";
import { DEMO_DIR, demoConfig, tempDir, tunelab, writeConfig } from "../cli/helpers.js";

function count4bit(m: { namedModules(): Iterable<[string, unknown]> }): number {
  let n = 0;
  for (const [, mod] of m.namedModules()) if (mod instanceof Linear4bit) n++;
  return n;
}

test("CLI: method qlora trains LoRA on a 4-bit base, with the quantization section's settings; the run loads back on a 4-bit base", async () => {
  const dir = tempDir();
  try {
    const cfg = demoConfig(path.join(dir, "out"), { num_train_epochs: 1, max_steps: 3, eval_strategy: "no", save_strategy: "no" });
    const file = writeConfig(dir, {
      ...cfg,
      method: "qlora",
      peft: { r: 4, lora_alpha: 8, target_modules: ["query", "value"] },
      quantization: { load_in_4bit: true, bnb_4bit_quant_type: "fp4", bnb_4bit_compute_dtype: "bfloat16" },
    });
    const r = tunelab(["train", file]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /\[model\] qlora: trainable params/);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, "out", "adapter_config.json"), "utf8"));
    assert.equal(saved.peft_type, "LORA");
    // eval/predict/serve load the adapter onto a base quantized as in training, not a float32 one.
    const trained = await loadTrained(path.join(dir, "out"));
    assert.ok(count4bit(trained.model as unknown as Parameters<typeof count4bit>[0]) > 0, "the base is 4-bit again");
    assert.equal((trained.base_quantization as { bnb_4bit_quant_type?: string }).bnb_4bit_quant_type, "fp4");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("CLI: method qlora on an 8-bit base (load_in_8bit) trains LoRA and the run loads back on an 8-bit base", async () => {
  const dir = tempDir();
  try {
    const cfg = demoConfig(path.join(dir, "out"), { num_train_epochs: 1, max_steps: 3, eval_strategy: "no", save_strategy: "no" });
    const file = writeConfig(dir, { ...cfg, method: "qlora", peft: { r: 4, lora_alpha: 8, target_modules: ["query", "value"] }, quantization: { load_in_8bit: true, llm_int8_threshold: 6.0 } });
    const r = tunelab(["train", file]);
    assert.equal(r.status, 0, r.output);
    const trained = await loadTrained(path.join(dir, "out"));
    let n = 0;
    for (const [, m] of (trained.model as unknown as { namedModules(): Iterable<[string, unknown]> }).namedModules()) if (m instanceof Linear8bit) n++;
    assert.ok(n > 0, "the base is 8-bit again");
    assert.equal(count4bit(trained.model as unknown as Parameters<typeof count4bit>[0]), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("CLI: a bad quantization section is reported with the key and the nearest name", () => {
  const dir = tempDir();
  try {
    const file = writeConfig(dir, { ...demoConfig(path.join(dir, "out")), method: "qlora", quantization: { load_in_4bit: true, bnb_4bit_quant: "nf4", bnb_4bit_compute_dtype: "float16" } });
    const r = tunelab(["train", file]);
    assert.notEqual(r.status, 0);
    assert.match(r.output, /quantization: unknown key "bnb_4bit_quant"; did you mean "bnb_4bit_quant_type"/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("library: the qlora variant quantizes a model in memory (heads stay full precision) and LoRA trains on it", async () => {
  const base = await AutoModelForSequenceClassification.fromPretrained(path.join(DEMO_DIR, "model"), { quiet: true, config: { num_labels: 2 } });
  const pm = applyMethod(base, { method: "qlora", task_type: "SEQ_CLS", r: 4, lora_alpha: 8, target_modules: ["query", "value"] });
  assert.ok(count4bit(base) > 0, "linear layers became 4-bit");
  for (const [p, m] of base.namedModules()) if (p.startsWith("classifier")) assert.ok(!(m instanceof Linear4bit), `${p} stays full precision`);
  assert.equal((base.config.quantization_config as { bnb_4bit_quant_type: string }).bnb_4bit_quant_type, "nf4");
  const out = pm.forward({ input_ids: [[2, 5, 9, 3]], labels: [1] });
  out.loss!.backward();
  const trainable = pm.trainableParameters();
  assert.ok(trainable.length > 0 && trainable.every((t) => t.grad !== null), "every trainable tensor got a gradient");
});

test("library: fromPretrained refuses what bitsandbytes has no such option for", async () => {
  await assert.rejects(AutoModelForSequenceClassification.fromPretrained(path.join(DEMO_DIR, "model"), { quiet: true, quantization_config: { load_in_4bit: true, bnb_4bit_quant_type: "nf3" as "nf4" } }), /bnb_4bit_quant_type must be "nf4" or "fp4"/);
  await assert.rejects(AutoModelForSequenceClassification.fromPretrained(path.join(DEMO_DIR, "model"), { quiet: true, quantization_config: { load_in_4bit: true, bnb_4bit_quant_storage: "complex64" } }), /bnb_4bit_quant_storage "complex64" is not a dtype bitsandbytes packs 4-bit codes into; use one of uint8, int8, float16, bfloat16, float32, float64/);
});

test("mergeAndUnload on a 4-bit base: re-quantized by default (PEFT's way), or an exact float32/bfloat16 model", async () => {
  const load = () => AutoModelForSequenceClassification.fromPretrained(path.join(DEMO_DIR, "model"), { quiet: true, config: { num_labels: 2 }, quantization_config: { load_in_4bit: true, bnb_4bit_quant_type: "nf4" } });
  const spec = { method: "qlora", task_type: "SEQ_CLS", r: 4, lora_alpha: 8, target_modules: ["query", "value"], init_lora_weights: false } as const;
  const inputs = { input_ids: [[2, 5, 9, 3, 7]] };
  const pm = applyMethod(await load(), spec);
  pm.eval();
  const want = pm.forward(inputs).logits.toFloat32Array();
  const exact = pm.mergeAndUnload({ dequantize: "float32" });
  assert.equal(count4bit(exact), 0);
  assert.equal(exact.config.quantization_config, undefined);
  const got = exact.forward(inputs).logits.toFloat32Array();
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `merged fp32 logits ${got[i]} vs ${want[i]}`);
  const pm2 = applyMethod(await load(), spec);
  pm2.eval();
  const n4 = count4bit(pm2.model);
  const requant = pm2.mergeAndUnload();
  assert.equal(count4bit(requant), n4, "still 4-bit");
  const got2 = requant.forward(inputs).logits.toFloat32Array();
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got2[i] - want[i]));
  assert.ok(worst > 0 && worst < 0.5, `re-quantized merge moved logits by ${worst}`);
});

// Export and `merge --dequantize` of a QLoRA run: float weights, never the packed 4-bit codes
// (the ONNX once held them as matrices and onnxruntime refused the file).
test("CLI: a QLoRA run exports to ONNX with its base dequantized (onnxruntime's logits equal tunelab's), and merge --dequantize writes a float model", async () => {
  const dir = tempDir();
  try {
    const cfg = demoConfig(path.join(dir, "out"), { num_train_epochs: 1, max_steps: 3, eval_strategy: "no", save_strategy: "no" });
    const file = writeConfig(dir, { ...cfg, method: "qlora", peft: { r: 4, lora_alpha: 8, target_modules: ["query", "value"] } });
    assert.equal(tunelab(["train", file]).status, 0);
    const run = path.join(dir, "out");
    const exp = tunelab(["export", run, "--format", "onnx", "--out", path.join(dir, "onnx")]);
    assert.equal(exp.status, 0, exp.output);
    assert.match(exp.output, /its base is 4-\/8-bit: dequantized to float32 first/);
    const trained = await loadTrained(run);
    trained.model.eval();
    const ids = [2, 5, 9, 3, 7];
    const want = trained.model.forward({ input_ids: [ids], attention_mask: [ids.map(() => 1)] }).logits.toFloat32Array();
    const session = await ort.InferenceSession.create(path.join(dir, "onnx", "onnx", "model.onnx"));
    const i64 = (a: number[]) => new ort.Tensor("int64", BigInt64Array.from(a.map(BigInt)), [1, a.length]);
    const got = (await session.run({ input_ids: i64(ids), attention_mask: i64(ids.map(() => 1)), token_type_ids: i64(ids.map(() => 0)) })).logits.data as Float32Array;
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `onnxruntime ${got[i]} vs tunelab ${want[i]}`);

    const merged = tunelab(["merge", run, "--dequantize", "--out", path.join(dir, "merged")]);
    assert.equal(merged.status, 0, merged.output);
    assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "merged", "config.json"), "utf8")).quantization_config, undefined);
    const requant = tunelab(["merge", run, "--out", path.join(dir, "merged4")]);
    assert.match(requant.output, /re-quantized \(PEFT's way; --dequantize gives an exact float model\)/);
    const exp4 = tunelab(["export", path.join(dir, "merged4"), "--format", "onnx", "--out", path.join(dir, "onnx4")]);
    assert.equal(exp4.status, 0, exp4.output);
    assert.match(exp4.output, /holds a quantized model: dequantized to float32 first/);
    assert.equal(tunelab(["merge", run, "--dequantize", "float16", "--out", path.join(dir, "m16")]).status !== 0, true, "float16 is refused");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
