// Target matching, config parsing and the smaller promises: PEFT's rules and error texts,
// named adapters, text-initialised prompts, DoRA's norm, applyMethod by method name.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { cat, full, matmul, noGrad, manualSeed } from "../../src/tensor/index.js";
import {
  DistilBertConfig, DistilBertForSequenceClassification, RobertaConfig, RobertaForSequenceClassification, T5Config, T5ForConditionalGeneration, toFloat,
} from "../../src/models/index.js";
import { prefixPastKeyValues } from "../../src/peft/prefix_tuning.js";
import {
  PeftModel, PeftConfigError, getPeftModel, parsePeftConfig, peftMethods, applyMethod, matchesModuleList, resolveTargets, LoraLayer, fileKeyOf,
  type LoraConfig, type PromptTuningConfig, type PrefixTuningConfig, PrefixEncoder,
} from "../../src/peft/index.js";
import { layerIndexOf } from "../../src/peft/targets.js";
import { skipIfMissing, fixturesDir } from "../helpers/paths.js";
import { maxAbsDiff } from "../helpers/close.js";
import { fixtureInputs, fixturePath, loadBase, logits, tmpDir } from "./helpers.js";

const skip = skipIfMissing(path.join(fixturesDir, "bert_tiny"));

test("list targets match exactly or as the suffix after a dot; a string is a full-match regex", () => {
  assert.ok(matchesModuleList("bert.encoder.layer.0.attention.self.query", ["query"]));
  assert.ok(matchesModuleList("query", ["query"]));
  assert.ok(matchesModuleList("a.attention.output.dense", ["output.dense"]));
  assert.ok(!matchesModuleList("a.subquery", ["query"]));
  assert.ok(matchesModuleList("model.layers.1.self_attn.q_proj", ".*layers\\.1\\..*q_proj"));
  assert.ok(!matchesModuleList("model.layers.1.self_attn.q_proj", "q_proj"), "a regex must match the whole path");
  assert.equal(layerIndexOf("bert.encoder.layer.3.attention.self.query", null), 3);
  assert.equal(layerIndexOf("model.layers.12.mlp.down_proj", "layers"), 12);
  assert.equal(layerIndexOf("classifier", null), null);
});

test("errors tell 'not found' (listing candidates) from 'all excluded'", { skip }, async () => {
  const model = await loadBase("bert_tiny");
  assert.throws(
    () => resolveTargets(model, { target_modules: ["qury"] }, { method: "LoRA" }),
    (e: Error) => e instanceof PeftConfigError && /Target modules \["qury"\] not found in the base model; modules with a weight include query, key, value, dense/.test(e.message),
  );
  assert.throws(() => resolveTargets(model, { target_modules: ["query"], exclude_modules: ["query"] }, { method: "LoRA" }), /all modules were excluded/);
  assert.throws(() => getPeftModel(model, { peft_type: "LORA", target_modules: ["word_embeddings"] }), /Embedding; only linear layers/);
});

test("parsePeftConfig: PEFT's defaults, unknown keys named, unsupported variants refused", () => {
  const c = parsePeftConfig({ peft_type: "LORA" }) as LoraConfig;
  assert.deepEqual([c.r, c.lora_alpha, c.lora_dropout, c.bias, c.init_lora_weights, c.use_rslora, c.use_dora, c.fan_in_fan_out], [8, 8, 0, "none", true, false, false, false]);
  assert.throws(() => parsePeftConfig({ peft_type: "LORA", lora_alhpa: 16 }), /unknown LORA config key "lora_alhpa".*did you mean "lora_alpha"/);
  assert.throws(() => parsePeftConfig({ r: 8 }), /no peft_type; set one of .*LORA/);
  assert.throws(() => parsePeftConfig({ peft_type: "LOHA" }), /unknown peft_type "LOHA"/);
  assert.throws(() => parsePeftConfig({ peft_type: "LORA", init_lora_weights: "pissa" }), /init_lora_weights/);
  assert.throws(() => parsePeftConfig({ peft_type: "LORA", bias: "some" }), /bias must be one of/);
  assert.throws(() => parsePeftConfig({ peft_type: "LORA", use_qalora: true }), /use_qalora/);
  assert.throws(() => parsePeftConfig({ peft_type: "IA3", target_modules: ["k"], feedforward_modules: ["wo"] }), /subset of target_modules/);
  assert.throws(() => parsePeftConfig({ peft_type: "PROMPT_TUNING" }), /num_virtual_tokens is required/);
  assert.throws(() => peftMethods.register({ ...peftMethods.get("LORA"), name: "lora2", variants: [] }), /already registered/);
  for (const m of ["bert_tiny", "gpt2_tiny", "llama_tiny"]) {
    for (const kind of ["lora", "prompt_tuning", "prefix_tuning"]) {
      const f = path.join(fixturesDir, m, "adapters", kind, "adapter_config.json");
      if (fs.existsSync(f)) parsePeftConfig(JSON.parse(fs.readFileSync(f, "utf8"))); // every PEFT-written config parses
    }
  }
});

test("saved keys drop the adapter name as PEFT does", () => {
  assert.equal(fileKeyOf("base_model.model.a.q.lora_A.default.weight", "default"), "base_model.model.a.q.lora_A.weight");
  assert.equal(fileKeyOf("base_model.model.classifier.modules_to_save.default.bias", "default"), "base_model.model.classifier.bias");
  assert.equal(fileKeyOf("base_model.model.a.q.lora_magnitude_vector.other.weight", "other"), "base_model.model.a.q.lora_magnitude_vector");
  assert.equal(fileKeyOf("base_model.model.h.0.mlp.c_proj.ia3_l.default", "default"), "base_model.model.h.0.mlp.c_proj.ia3_l");
});

test("LoRA init: kaiming-uniform A within 1/sqrt(in), zero B; Conv1D delta is transposed", { skip }, async () => {
  manualSeed(1);
  const pm = getPeftModel(await loadBase("gpt2_tiny"), { peft_type: "LORA", r: 4, target_modules: ["c_attn"], fan_in_fan_out: true });
  const layer = pm.model.getSubmodule("transformer.h.0.attn.c_attn") as LoraLayer;
  const A = layer.lora_A.get("default")!.weight.toFloat32Array();
  assert.ok(A.every((v) => Math.abs(v) <= 1 / Math.sqrt(32)) && A.some((v) => v !== 0));
  assert.ok(layer.lora_B.get("default")!.weight.toFloat32Array().every((v) => v === 0));
  assert.deepEqual(layer.getDeltaWeight("default").shape, [32, 96], "ΔW in Conv1D's (in, out) layout");
});

test("DoRA's norm without a dense delta equals ‖W + s·BA‖ row-wise", { skip }, async () => {
  manualSeed(2);
  const pm = getPeftModel(await loadBase("llama_tiny"), { peft_type: "LORA", r: 4, lora_alpha: 8, target_modules: ["q_proj"], use_dora: true, init_lora_weights: false });
  const layer = pm.model.getSubmodule("model.layers.0.self_attn.q_proj") as LoraLayer;
  const dense = noGrad(() => layer.baseWeight().add(matmul(layer.lora_B.get("default")!.weight, layer.lora_A.get("default")!.weight).mul(2))).toFloat32Array();
  const norms = layer.weightNorm("default");
  for (let i = 0; i < 32; i++) {
    let sq = 0;
    for (let j = 0; j < 32; j++) sq += dense[i * 32 + j] ** 2;
    assert.ok(Math.abs(Math.sqrt(sq) - norms[i]) <= 1e-5 * Math.sqrt(sq), `row ${i}`);
  }
});

test("named adapters: add, switch, train only the active one, save each, delete", { skip }, async () => {
  manualSeed(3);
  const inputs = fixtureInputs("llama_tiny");
  const pm = getPeftModel(await loadBase("llama_tiny"), { peft_type: "LORA", r: 4, target_modules: ["q_proj", "v_proj"], init_lora_weights: false });
  pm.addAdapter("other", parsePeftConfig({ peft_type: "LORA", r: 2, target_modules: ["v_proj"], init_lora_weights: false }));
  assert.equal(pm.activeAdapter, "default");
  const a = logits(pm, inputs);
  pm.setAdapter("other");
  const b = logits(pm, inputs);
  assert.ok(maxAbsDiff(a, b) > 1e-4, "the adapters differ");
  const names = [...pm.namedParameters()].filter(([, t]) => t.requiresGrad).map(([n]) => n);
  assert.ok(names.length === 4 && names.every((n) => n.includes(".other.")), "only the active adapter trains");
  const dir = tmpDir("multi");
  pm.savePretrained(dir);
  assert.ok(fs.existsSync(path.join(dir, "adapter_model.safetensors")) && fs.existsSync(path.join(dir, "other", "adapter_config.json")));
  const fresh = PeftModel.fromPretrained(await loadBase("llama_tiny"), dir);
  fresh.loadAdapter(path.join(dir, "other"), "other");
  fresh.setAdapter("other");
  assert.ok(maxAbsDiff(logits(fresh, inputs), b) <= 1e-6);
  pm.deleteAdapter("other");
  assert.equal(pm.activeAdapter, "default");
  assert.ok(maxAbsDiff(logits(pm, inputs), a) <= 1e-6);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("prompt tuning TEXT init: the tokenized text's embeddings, repeated to P", { skip }, async () => {
  const base = await loadBase("gpt2_tiny");
  const config = { peft_type: "PROMPT_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 5, prompt_tuning_init: "TEXT", prompt_tuning_init_text: "hi", tokenizer_name_or_path: "gpt2" };
  assert.throws(() => getPeftModel(base, config), /pass it as getPeftModel\(model, config, \{ tokenizer \}\)/);
  const pm = getPeftModel(base, config, { tokenizer: { encode: () => [7, 9] } });
  const emb = (pm.prompt_encoder!.get("default") as unknown as { embedding: { weight: { toFloat32Array(): Float32Array } } }).embedding.weight.toFloat32Array();
  const wte = pm.model.getSubmodule("transformer.wte").param("weight").toFloat32Array();
  [7, 9, 7, 9, 7].forEach((id, i) => assert.deepEqual(emb.subarray(i * 32, (i + 1) * 32), wte.subarray(id * 32, (id + 1) * 32)));
  assert.equal((pm.activeConfig as PromptTuningConfig).token_dim, 32);
});

test("prefix tuning: every encoder and decoder family takes it; encoder-decoder T5 is refused, pointing at LoRA/IA3", { skip }, async () => {
  const config = { peft_type: "PREFIX_TUNING", task_type: "SEQ_CLS", num_virtual_tokens: 2 };
  const tiny = { vocab_size: 24, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32, max_position_embeddings: 16 };
  for (const model of [
    new RobertaForSequenceClassification(RobertaConfig.fromDict(tiny)),
    new DistilBertForSequenceClassification(DistilBertConfig.fromDict({ vocab_size: 24, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 32, max_position_embeddings: 16 })),
  ]) {
    const pm = getPeftModel(model, config);
    pm.eval();
    const out = pm.forward({ input_ids: [[5, 9, 11, 3], [7, 8, 2, 6]], attention_mask: [[1, 1, 1, 0], [1, 1, 1, 1]], labels: [0, 1] });
    assert.deepEqual(out.logits.shape, [2, 2], model.constructor.name);
    out.loss!.backward();
    const prefix = (pm.prompt_encoder!.get("default") as PrefixEncoder).embedding.weight;
    assert.deepEqual(prefix.shape, [2, 2 * 2 * 16]);
    assert.ok(prefix.grad && prefix.grad.toFloat32Array().some((g) => g !== 0), `${model.constructor.name}: the prefix gets a gradient`);
  }
  const t5 = new T5ForConditionalGeneration(T5Config.fromDict({ vocab_size: 24, d_model: 16, d_kv: 4, d_ff: 32, num_layers: 1, num_heads: 4 }));
  assert.throws(() => getPeftModel(t5, { peft_type: "PREFIX_TUNING", num_virtual_tokens: 2 }), /prefix tuning on encoder-decoder models \(t5\) is not supported yet; use LoRA or IA3/);
});

test("prefix tuning on BERT passes token_type_ids unchanged and widens the mask by P, as PEFT's SEQ_CLS path", { skip }, async () => {
  manualSeed(2);
  const pm = getPeftModel(await loadBase("bert_tiny"), { peft_type: "PREFIX_TUNING", task_type: "SEQ_CLS", num_virtual_tokens: 3 });
  pm.eval();
  const inputs = fixtureInputs("bert_tiny");
  const flat = (pm.prompt_encoder!.get("default") as PrefixEncoder).embedding.weight;
  const past = prefixPastKeyValues(flat, pm.activeConfig as PrefixTuningConfig);
  const mask = toFloat(inputs.attention_mask!);
  const wide = cat([full([mask.shape[0], 3], 1), mask], 1);
  const direct = logits(pm.model, { ...inputs, attention_mask: wide, past_key_values: past });
  assert.ok(maxAbsDiff(logits(pm, inputs), direct) <= 1e-6);
  assert.ok(maxAbsDiff(pm.disableAdapter(() => logits(pm, inputs)), logits(pm.model, inputs)) <= 1e-6);
});

test("applyMethod: named methods and variants give a PeftModel, full and bad names are errors", { skip }, async () => {
  const bert = await loadBase("bert_tiny");
  const bitfit = applyMethod(await loadBase("bert_tiny"), { method: "bitfit", task_type: "SEQ_CLS" });
  assert.ok(bitfit instanceof PeftModel && bitfit.activeConfig.peft_type === "BITFIT");
  const dora = applyMethod(await loadBase("llama_tiny"), { method: "dora", r: 2 }) as PeftModel;
  assert.equal((dora.activeConfig as LoraConfig).use_dora, true);
  assert.throws(() => applyMethod(bert, { method: "lorra" }), /unknown method "lorra"/);
  assert.throws(() => applyMethod(bert, { method: "full" }), /wraps nothing/);
  assert.throws(() => applyMethod(bert, { method: "dora", peft_type: "IA3" }), /contradicts peft_type/);
  assert.throws(() => applyMethod(bert, {}), /say which method/);
});

test("an adapter for another base model fails at load, naming the key", { skip }, async () => {
  const pm = getPeftModel(await loadBase("gpt2_tiny"), { peft_type: "LORA", r: 4, target_modules: ["c_attn"] });
  const dir = tmpDir("mismatch");
  pm.savePretrained(dir);
  await assert.rejects(async () => PeftModel.fromPretrained(await loadBase("llama_tiny"), dir), /Target modules \["c_attn"\] not found/);
  await assert.rejects(async () => PeftModel.fromPretrained(await loadBase("bert_tiny"), fixturePath("gpt2_tiny", "adapters", "lora")), /not found in the base model/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("resume: loadAdapterWeights refills the same tensors an optimizer holds", { skip }, async () => {
  manualSeed(4);
  const pm = getPeftModel(await loadBase("gpt2_tiny"), { peft_type: "LORA", r: 4, target_modules: ["c_attn"], init_lora_weights: false });
  const dir = tmpDir("resume");
  pm.savePretrained(dir);
  const held = pm.trainableParameters();
  const saved = held.map((t) => t.toFloat32Array());
  for (const t of held) t.f32().fill(0.5);
  pm.loadAdapterWeights(dir);
  assert.deepEqual(pm.trainableParameters(), held, "same tensor objects, still trainable");
  held.forEach((t, i) => assert.deepEqual(t.toFloat32Array(), saved[i]));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("LoRA and prefix tuning gradients are the same with gradient checkpointing", { skip }, async () => {
  for (const config of [
    { peft_type: "LORA", r: 4, target_modules: ["q_proj", "v_proj"], init_lora_weights: false },
    { peft_type: "PREFIX_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 3 },
  ]) {
    const grads: Float32Array[][] = [];
    for (const ckpt of [false, true]) {
      manualSeed(5);
      const pm = getPeftModel(await loadBase("llama_tiny"), config);
      if (ckpt) pm.gradientCheckpointingEnable();
      pm.train();
      pm.forward(fixtureInputs("llama_tiny")).loss!.backward();
      grads.push(pm.trainableParameters().map((t) => t.grad!.toFloat32Array()));
    }
    grads[0].forEach((g, i) => assert.ok(maxAbsDiff(g, grads[1][i]) <= 1e-6, `${config.peft_type} tensor ${i}`));
  }
});
