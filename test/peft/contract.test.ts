// One contract, every method (PEFT's TEST_CASES style): each row is a method + config on a
// fixture model, with the trainable / total parameter counts PEFT reports for that config,
// worked out by hand from the fixture configs (see the comments).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Tensor, manualSeed } from "../../src/tensor/index.js";
import { AdamW } from "../../src/optim/index.js";
import { PeftModel, getPeftModel } from "../../src/peft/index.js";
import { skipIfMissing, fixturesDir } from "../helpers/paths.js";
import { maxAbsDiff } from "../helpers/close.js";
import { type FixtureName, FIXTURE_MODELS, fixtureInputs, loadBase, logits, tmpDir } from "./helpers.js";

// Base sizes: bert_tiny 23,458 (emb 5,248 + 2×8,544 + pooler 1,056 + classifier 66);
// gpt2_tiny 30,592 (wte 4,096 + wpe 1,024 + 2×12,704 + ln_f 64; lm_head tied);
// llama_tiny 28,832 (embed 4,096 + 2×10,304 + norm 32 + lm_head 4,096).
// SEQ_CLS adds the classifier copy PEFT's ModulesToSaveWrapper holds: +66 trainable and total.
interface Case {
  name: string;
  model: FixtureName;
  config: Record<string, unknown>;
  trainable: number;
  all: number;
  /** The wrapped model's output equals the base model's before training. */
  initIsBase: boolean;
  mergeable: boolean;
  /** Under disableAdapter: the base output, a refusal (BitFit), or a different output (LoRA with trained biases, as in PEFT). */
  disable: "base" | "throws" | "differs";
}

const TEST_CASES: Case[] = [
  // r 4 on query, value: 4 × (4·32 + 32·4) = 1,024.
  { name: "lora bert", model: "bert_tiny", config: { peft_type: "LORA", task_type: "SEQ_CLS", r: 4, lora_alpha: 8, target_modules: ["query", "value"] }, trainable: 1090, all: 24548, initIsBase: true, mergeable: true, disable: "base" },
  // rank_pattern: query r 8 → 2 × 512, value r 4 → 2 × 256.
  { name: "lora bert rank/alpha pattern", model: "bert_tiny", config: { peft_type: "LORA", task_type: "SEQ_CLS", r: 4, target_modules: ["query", "value"], rank_pattern: { query: 8 }, alpha_pattern: { query: 16 } }, trainable: 1602, all: 25060, initIsBase: true, mergeable: true, disable: "base" },
  // c_attn (32 → 96): 4·32 + 96·4 = 512 per layer.
  { name: "lora gpt2", model: "gpt2_tiny", config: { peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 8, target_modules: ["c_attn"], fan_in_fan_out: true }, trainable: 1024, all: 31616, initIsBase: true, mergeable: true, disable: "base" },
  // bias lora_only: + the two c_attn biases (2 × 96).
  { name: "lora gpt2 bias lora_only gaussian", model: "gpt2_tiny", config: { peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, target_modules: ["c_attn"], bias: "lora_only", init_lora_weights: "gaussian" }, trainable: 1216, all: 31616, initIsBase: true, mergeable: true, disable: "differs" },
  // DoRA adds a magnitude of 96 per c_attn.
  { name: "dora gpt2", model: "gpt2_tiny", config: { peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 8, target_modules: ["c_attn"], use_dora: true }, trainable: 1216, all: 31808, initIsBase: true, mergeable: true, disable: "base" },
  { name: "lora llama", model: "llama_tiny", config: { peft_type: "LORA", task_type: "CAUSAL_LM", r: 4, lora_alpha: 8, target_modules: ["q_proj", "v_proj"] }, trainable: 1024, all: 29856, initIsBase: true, mergeable: true, disable: "base" },
  // all-linear r 2, rsLoRA: q,k,v,o 4 × 128 + gate, up, down 3 × 192 = 1,088 per layer; lm_head excluded.
  { name: "lora llama all-linear rslora dropout", model: "llama_tiny", config: { peft_type: "LORA", task_type: "CAUSAL_LM", r: 2, lora_alpha: 4, lora_dropout: 0.1, use_rslora: true, target_modules: "all-linear" }, trainable: 2176, all: 31008, initIsBase: true, mergeable: true, disable: "base" },
  // layers_to_transform [1] and a regex exclude: only layer 1's v_proj.
  { name: "lora llama layers_to_transform", model: "llama_tiny", config: { peft_type: "LORA", r: 4, target_modules: ["q_proj", "v_proj"], exclude_modules: ".*q_proj", layers_to_transform: [1] }, trainable: 256, all: 29088, initIsBase: true, mergeable: true, disable: "base" },
  // IA3 defaults gpt2: c_attn out 96 + mlp.c_proj (feed-forward) in 128, per layer.
  { name: "ia3 gpt2", model: "gpt2_tiny", config: { peft_type: "IA3", task_type: "CAUSAL_LM" }, trainable: 448, all: 31040, initIsBase: true, mergeable: true, disable: "base" },
  // IA3 defaults llama: k_proj 32 + v_proj 32 + down_proj (feed-forward) in 64, per layer.
  { name: "ia3 llama", model: "llama_tiny", config: { peft_type: "IA3", task_type: "CAUSAL_LM" }, trainable: 256, all: 29088, initIsBase: true, mergeable: true, disable: "base" },
  // IA3 defaults bert: key 32 + value 32 + "output.dense" matches both attention.output.dense (in 32) and output.dense (in 64).
  { name: "ia3 bert", model: "bert_tiny", config: { peft_type: "IA3", task_type: "SEQ_CLS" }, trainable: 386, all: 23844, initIsBase: true, mergeable: true, disable: "base" },
  // Houlsby, bottleneck 8: (32·8 + 8) + (8·32 + 32) = 552 per adapter, 2 per layer.
  { name: "adapter houlsby gpt2", model: "gpt2_tiny", config: { peft_type: "BOTTLENECK_ADAPTER", task_type: "CAUSAL_LM", bottleneck_size: 8, non_linearity: "gelu" }, trainable: 2208, all: 32800, initIsBase: true, mergeable: false, disable: "base" },
  { name: "adapter pfeiffer bert", model: "bert_tiny", config: { peft_type: "BOTTLENECK_ADAPTER", task_type: "SEQ_CLS", adapter_type: "pfeiffer", bottleneck_size: 8 }, trainable: 1170, all: 24628, initIsBase: true, mergeable: false, disable: "base" },
  { name: "adapter houlsby llama", model: "llama_tiny", config: { peft_type: "BOTTLENECK_ADAPTER", task_type: "CAUSAL_LM", bottleneck_size: 8 }, trainable: 2208, all: 31040, initIsBase: true, mergeable: false, disable: "base" },
  // BitFit bert: LN 32 + per layer (q,k,v,o 128 + LN 32 + intermediate 64 + output 32 + LN 32) × 2 + pooler 32 = 640.
  { name: "bitfit bert", model: "bert_tiny", config: { peft_type: "BITFIT", task_type: "SEQ_CLS" }, trainable: 706, all: 23524, initIsBase: true, mergeable: true, disable: "throws" },
  // BitFit gpt2: (32 + 96 + 32 + 32 + 128 + 32) × 2 + ln_f 32 = 736.
  { name: "bitfit gpt2", model: "gpt2_tiny", config: { peft_type: "BITFIT", task_type: "CAUSAL_LM" }, trainable: 736, all: 30592, initIsBase: true, mergeable: true, disable: "throws" },
  { name: "prompt tuning gpt2", model: "gpt2_tiny", config: { peft_type: "PROMPT_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 8 }, trainable: 256, all: 30848, initIsBase: false, mergeable: false, disable: "base" },
  { name: "prompt tuning llama", model: "llama_tiny", config: { peft_type: "PROMPT_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 8 }, trainable: 256, all: 29088, initIsBase: false, mergeable: false, disable: "base" },
  { name: "prompt tuning bert", model: "bert_tiny", config: { peft_type: "PROMPT_TUNING", task_type: "SEQ_CLS", num_virtual_tokens: 4 }, trainable: 194, all: 23652, initIsBase: false, mergeable: false, disable: "base" },
  // Prefix: 4 × (2 layers · 2 · 32).
  { name: "prefix tuning gpt2", model: "gpt2_tiny", config: { peft_type: "PREFIX_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 4 }, trainable: 512, all: 31104, initIsBase: false, mergeable: false, disable: "base" },
  // BERT: 4 × (2 layers · 2 · 32) + the classifier copy (66).
  { name: "prefix tuning bert", model: "bert_tiny", config: { peft_type: "PREFIX_TUNING", task_type: "SEQ_CLS", num_virtual_tokens: 4 }, trainable: 578, all: 24036, initIsBase: false, mergeable: false, disable: "base" },
  // With projection: embedding 4·32 + (32·16 + 16) + (16·128 + 128).
  { name: "prefix tuning llama projection", model: "llama_tiny", config: { peft_type: "PREFIX_TUNING", task_type: "CAUSAL_LM", num_virtual_tokens: 4, prefix_projection: true, encoder_hidden_size: 16 }, trainable: 2832, all: 31664, initIsBase: false, mergeable: false, disable: "base" },
];

const ADAPTER_PARAM = /(\.lora_|\.ia3_l\.|\.adapter_(down|up)\.|^prompt_encoder\.|\.modules_to_save\.)/;

function snapshot(model: { namedParameters(): Iterable<[string, Tensor]> }): Map<Tensor, Float32Array> {
  const out = new Map<Tensor, Float32Array>();
  for (const [, t] of model.namedParameters()) out.set(t, t.toFloat32Array());
  return out;
}

function train(pm: PeftModel, name: FixtureName, steps: number): void {
  const opt = new AdamW(pm.trainableParameters(), { lr: 1e-2, weight_decay: 0.01 });
  pm.train();
  for (let i = 0; i < steps; i++) {
    pm.forward(fixtureInputs(name)).loss!.backward();
    opt.step();
    opt.zeroGrad();
  }
  pm.eval();
  opt.dispose();
}

for (const c of TEST_CASES) {
  test(`contract: ${c.name}`, { skip: skipIfMissing(path.join(fixturesDir, c.model)) }, async (t) => {
    manualSeed(0);
    const inputs = fixtureInputs(c.model);
    const base = await loadBase(c.model);
    const baseKeys = [...base.stateDictForSave().keys()].sort();
    const baseLogits = logits(base, inputs);
    const before = snapshot(base);
    const pm = getPeftModel(base, c.config);
    pm.eval();

    // Counts as PEFT reports them, in PEFT's wording.
    const [trainable, all] = pm.getNbTrainableParameters();
    assert.deepEqual([trainable, all], [c.trainable, c.all], "trainable / all params equal PEFT's");
    const line = pm.printTrainableParameters();
    assert.equal(line, `trainable params: ${c.trainable.toLocaleString("en-US")} || all params: ${c.all.toLocaleString("en-US")} || trainable%: ${((100 * c.trainable) / c.all).toFixed(4)}`);
    t.diagnostic(line);

    // Only adapter tensors (and modules_to_save copies; biases for BitFit) train.
    for (const [name, p] of pm.namedParameters()) {
      if (!p.requiresGrad) continue;
      const ok = ADAPTER_PARAM.test(name) || (c.config.peft_type === "BITFIT" || c.config.bias) && name.endsWith(".bias");
      assert.ok(ok, `${name} trains but is not part of the adapter`);
    }
    const initLogits = logits(pm, inputs);
    if (c.initIsBase) assert.ok(maxAbsDiff(initLogits, baseLogits) <= 1e-6, "initialised adapter leaves the output unchanged");

    train(pm, c.model, 3);
    const trained = new Set(pm.trainableParameters());
    for (const [tensor, values] of before) {
      if (trained.has(tensor)) continue;
      assert.deepEqual(tensor.toFloat32Array(), values, "base weights are bit-identical after training");
    }
    const tuned = logits(pm, inputs);
    assert.ok(maxAbsDiff(tuned, initLogits) > 1e-4, "training changed the output");
    if (c.disable === "throws") assert.throws(() => pm.disableAdapter(() => 0), /BitFit/);
    else {
      const off = maxAbsDiff(pm.disableAdapter(() => logits(pm, inputs)), baseLogits);
      if (c.disable === "base") assert.ok(off <= 1e-6, "disabled adapter gives the base output");
      else assert.ok(off > 0, "trained biases stay when the adapter is disabled");
      assert.ok(maxAbsDiff(logits(pm, inputs), tuned) <= 1e-6, "the adapter is back on after disableAdapter");
    }

    if (c.mergeable && c.config.peft_type !== "BITFIT") {
      const adapterTrained = new Set(trained);
      pm.merge();
      const merged = logits(pm, inputs);
      const d = maxAbsDiff(merged, tuned);
      t.diagnostic(`merged vs unmerged max|Δlogits| ${d.toExponential(2)}`);
      assert.ok(d <= 1e-5, `merged output differs by ${d}`);
      pm.unmerge();
      for (const [tensor, values] of before) {
        if (adapterTrained.has(tensor)) continue;
        assert.ok(maxAbsDiff(tensor.toFloat32Array(), values) <= 1e-6, "unmerge restores the base weights");
      }
    } else if (!c.mergeable) {
      assert.throws(() => pm.merge(), /merge|nothing/);
    }

    // save → load on a fresh base gives the same output.
    const dir = tmpDir("contract");
    pm.savePretrained(dir);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, "adapter_config.json"), "utf8"));
    assert.equal(cfg.peft_type, c.config.peft_type);
    assert.ok("task_type" in cfg && "base_model_name_or_path" in cfg && cfg.inference_mode === true);
    const reloaded = PeftModel.fromPretrained(await loadBase(c.model), dir);
    assert.ok(maxAbsDiff(logits(reloaded, inputs), tuned) <= 1e-6, "save → load reproduces the output");
    assert.equal(reloaded.trainableParameters().length, 0);

    // A merged model is a plain transformers checkpoint.
    if (c.mergeable) {
      const plain = pm.mergeAndUnload();
      const mergedLogits = logits(plain, inputs);
      assert.ok(maxAbsDiff(mergedLogits, tuned) <= 1e-5);
      const out = tmpDir("merged");
      plain.savePretrained(out);
      const cls = FIXTURE_MODELS[c.model] as unknown as { fromPretrained(d: string, o: object): Promise<typeof plain> };
      const again = await cls.fromPretrained(out, { quiet: true });
      assert.deepEqual([...again.stateDictForSave().keys()].sort(), baseKeys, "merged checkpoint has the base model's keys");
      assert.ok(maxAbsDiff(logits(again, inputs), tuned) <= 1e-5, "merged checkpoint reproduces the tuned output");
      fs.rmSync(out, { recursive: true, force: true });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
}
