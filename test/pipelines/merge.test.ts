// `tunelab merge`: base + LoRA adapter → a plain Hugging Face folder whose weights carry the
// base checkpoint's own keys, dtypes and shapes (no adapter keys), which tunelab reloads with
// the adapted model's logits. Causal LM (stories260K) and a classifier whose head PEFT saves
// whole (modules_to_save).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { manualSeed, noGrad } from "../../src/tensor/index.js";
import { readSafetensorsHeader } from "../../src/io/safetensors.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { AutoModelForCausalLM, AutoModelForSequenceClassification } from "../../src/models/auto.js";
import { AutoTokenizer } from "../../src/data/tokenizer.js";
import { PeftModel, getPeftModel } from "../../src/peft/peft_model.js";
import { mergeAdapter } from "../../src/pipelines/merge.js";
import { skipIfMissing } from "../helpers/paths.js";
import { tunelab } from "../cli/helpers.js";
import { STORIES, DEMO_MODEL, tempDir, storiesLora } from "../serve/helpers.js";

function assertClose(a: Float32Array, b: Float32Array, what: string, tol = 1e-5): void {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1 + Math.abs(b[i])));
  assert.ok(worst <= tol, `${what}: max relative difference ${worst}`);
}

test("tunelab merge: a LoRA run on stories260K becomes a plain folder with the base's keys and the adapted logits", { skip: skipIfMissing(STORIES) }, async () => {
  const root = tempDir();
  const adapter = await storiesLora(root, "lora", 9);
  const out = path.join(root, "merged");
  const r = tunelab(["merge", adapter, "--out", out]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /LlamaForCausalLM with the adapter merged/);
  for (const f of ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]) assert.ok(fs.existsSync(path.join(out, f)), `${f} is written`);
  assert.ok(!fs.existsSync(path.join(out, "adapter_config.json")));
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, "config.json"), "utf8")).architectures, ["LlamaForCausalLM"]);

  const merged = readSafetensorsHeader(path.join(out, "model.safetensors"));
  const base = readSafetensorsHeader(path.join(STORIES, "model.safetensors"));
  assert.equal(merged.metadata?.format, "pt", "transformers refuses safetensors without format pt metadata");
  assert.deepEqual([...merged.tensors.keys()].sort(), [...base.tensors.keys()].sort(), "the base checkpoint's keys, no adapter keys");
  for (const [k, t] of base.tensors) assert.deepEqual({ dtype: merged.tensors.get(k)!.dtype, shape: merged.tensors.get(k)!.shape }, { dtype: t.dtype, shape: t.shape }, k);

  const tok = await AutoTokenizer.fromPretrained(out);
  const ids = [tok.encode("Once upon a time there was"), tok.encode("Lily and Tom went to the")].map((r) => r.slice(0, 6));
  const reloaded = await AutoModelForCausalLM.fromPretrained(out, { quiet: true });
  assert.deepEqual(reloaded.loadReport?.newlyInitialized, []);
  const peft = PeftModel.fromPretrained(await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true }), adapter);
  const plain = await LlamaForCausalLM.fromPretrained(STORIES, { quiet: true });
  noGrad(() => {
    const want = peft.forward({ input_ids: ids }).logits.toFloat32Array();
    assertClose(reloaded.forward({ input_ids: ids }).logits.toFloat32Array(), want, "merged vs base + adapter", 1e-4);
    const baseLogits = plain.forward({ input_ids: ids }).logits.toFloat32Array();
    assert.ok(want.some((v, i) => Math.abs(v - baseLogits[i]) > 1e-3), "the adapter changes the logits (else the test proves nothing)");
  });

  const again = tunelab(["merge", adapter, "--out", out]);
  assert.equal(again.status, 1);
  assert.match(again.output, /exists and is not empty; pass a new folder to --out/);
  const full = tunelab(["merge", out, "--out", path.join(root, "twice")]);
  assert.equal(full.status, 1);
  assert.match(full.output, /holds a full model, not an adapter.*nothing to merge/);
  assert.ok(!fs.existsSync(path.join(root, "twice")), "no half-written folder");
});

test("mergeAdapter: a classification LoRA with its head in modules_to_save merges into a plain classifier", async () => {
  const root = tempDir();
  manualSeed(2);
  // The base is a full classifier folder: the demo checkpoint has no pooler, which would be drawn afresh at each load.
  const baseDir = path.join(root, "base");
  (await AutoModelForSequenceClassification.fromPretrained(DEMO_MODEL, { quiet: true, config: { num_labels: 2, id2label: { 0: "neg", 1: "pos" }, label2id: { neg: 0, pos: 1 } } })).savePretrained(baseDir);
  const base = await AutoModelForSequenceClassification.fromPretrained(baseDir, { quiet: true });
  const pm = getPeftModel(base, { peft_type: "LORA", task_type: "SEQ_CLS", r: 4, lora_alpha: 16, target_modules: ["query", "value"], init_lora_weights: false });
  // The trained head differs from a fresh one: PEFT saves it whole (modules_to_save).
  noGrad(() => pm.model.stateDict().forEach((t, k) => k.includes("modules_to_save") && k.endsWith("classifier.weight") && t.f32().fill(0.25)));
  const adapterDir = path.join(root, "adapter");
  pm.savePretrained(adapterDir);
  (await AutoTokenizer.fromPretrained(DEMO_MODEL)).savePretrained(adapterDir);
  // A run folder keeps the task model's config (label names) beside the adapter.
  base.config.save(adapterDir);
  const r = await mergeAdapter(adapterDir, path.join(root, "merged"), { model: { name_or_path: baseDir } });
  assert.equal(r.architecture, "BertForSequenceClassification");
  pm.eval();
  const merged = await AutoModelForSequenceClassification.fromPretrained(r.out, { quiet: true });
  assert.deepEqual(merged.loadReport?.newlyInitialized, []);
  assert.deepEqual(merged.config.id2label, { 0: "neg", 1: "pos" });
  const keys = [...readSafetensorsHeader(path.join(r.out, "model.safetensors")).tensors.keys()];
  assert.ok(keys.every((k) => !/lora_|modules_to_save|original_module|base_model/.test(k)), keys.join(", "));
  assert.deepEqual(keys.sort(), [...merged.stateDictForSave().keys()].sort());
  const enc = (await AutoTokenizer.fromPretrained(r.out)).call(["a good film", "bad"], { padding: true });
  noGrad(() => assertClose(merged.forward({ ...enc }).logits.toFloat32Array(), pm.forward({ ...enc }).logits.toFloat32Array(), "merged classifier vs base + adapter"));
});
