// QLoRA parity with ../shared/fixtures (gpt2_tiny, llama_tiny, computed with Transformers +
// PEFT + bitsandbytes): the base quantized while loading gives the fixture's dequantized
// weights and serialized 4-bit state, the LoRA adapter on top reproduces qlora.logits/loss/
// grad, savePretrained writes bitsandbytes' layout, and that checkpoint loads back as 4-bit.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PeftModel } from "../../src/peft/index.js";
import { Linear4bit } from "../../src/quant/linear4bit.js";
import { readSafetensors } from "../../src/io/safetensors.js";
import { skipIfMissing } from "../helpers/paths.js";
import { type FixtureName, FIXTURE_MODELS, expected, fixtureInputs, fixturePath, logitMask } from "../peft/helpers.js";
import { closeness, maxAbsDiff } from "../helpers/close.js";
import type { PreTrainedModel } from "../../src/models/modeling_utils.js";

const QC = { load_in_4bit: true, bnb_4bit_quant_type: "nf4", bnb_4bit_use_double_quant: true, bnb_4bit_compute_dtype: "float32" } as const;

async function load4bit(name: FixtureName, dir = fixturePath(name, "model"), withConfig = true): Promise<PreTrainedModel> {
  const cls = FIXTURE_MODELS[name] as unknown as { fromPretrained(dir: string, o: object): Promise<PreTrainedModel> };
  return cls.fromPretrained(dir, withConfig ? { quiet: true, quantization_config: QC } : { quiet: true });
}

function quantLayers(m: PreTrainedModel): Map<string, Linear4bit> {
  const out = new Map<string, Linear4bit>();
  for (const [p, mod] of m.namedModules()) if (mod instanceof Linear4bit) out.set(p, mod);
  return out;
}

for (const name of ["gpt2_tiny", "llama_tiny"] as FixtureName[]) {
  const skip = skipIfMissing(fixturePath(name, "case.json"));

  test(`${name}: quantized while loading, the 4-bit weights and serialized state are bitsandbytes'`, { skip }, async (t) => {
    const info = JSON.parse(fs.readFileSync(fixturePath(name, "case.json"), "utf8")).cases.qlora;
    const exp = expected(name);
    const raw = readSafetensors(fixturePath(name, "expected.safetensors")).tensors;
    const model = await load4bit(name);
    const layers = quantLayers(model);
    assert.deepEqual([...layers.keys()].map((p) => `${p}.weight`).sort(), [...info.quantized_weights].sort(), "exactly the fixture's layers are 4-bit");
    for (const [p, layer] of layers) {
      const want = exp.get(`qlora.dequant.${p}.weight`)!.toFloat32Array();
      assert.deepEqual(layer.dequantizedWeight().toFloat32Array(), want, `${p}: dequantized weight`);
      for (const [k, tensor] of layer.stateDict()) {
        if (k === "bias") continue;
        const w = raw.get(`qlora.bnb.${p}.${k}`);
        assert.ok(w, `fixture has qlora.bnb.${p}.${k}`);
        const mine = tensor.contiguous().data;
        const bytes = Buffer.from(mine.buffer, mine.byteOffset, mine.byteLength);
        assert.ok(bytes.equals(Buffer.from(w.data)), `${p}.${k}: bytes differ (${k.includes("quant_state") ? bytes.toString() : ""})`);
      }
    }
    t.diagnostic(`${layers.size} layers: codes, scales, nested state and quant-state JSON byte-identical`);
  });

  test(`${name}: LoRA on the 4-bit base reproduces qlora.logits, loss and gradients`, { skip }, async (t) => {
    const exp = expected(name);
    const pm = PeftModel.fromPretrained(await load4bit(name), fixturePath(name, "adapters", "lora"), { is_trainable: true });
    const out = pm.forward(fixtureInputs(name));
    const V = out.logits.shape[out.logits.ndim - 1];
    const dLogits = maxAbsDiff(out.logits.toFloat32Array(), exp.get("qlora.logits")!.toFloat32Array(), logitMask(name), V);
    const dLoss = Math.abs(out.loss!.item() - exp.get("qlora.loss")!.item());
    t.diagnostic(`max|Δlogits| ${dLogits.toExponential(2)}  |Δloss| ${dLoss.toExponential(2)}`);
    assert.ok(dLogits <= 1e-4, `logits differ by ${dLogits}`);
    assert.ok(dLoss <= 1e-5, `loss differs by ${dLoss}`);
    out.loss!.backward();
    let worst = 0;
    for (const [key, param] of pm.adapterStateDict()) {
      const g = exp.get(`qlora.grad.${key}`);
      assert.ok(g && param.grad, `${key}: gradient present`);
      const c = closeness(param.grad.toFloat32Array(), g.toFloat32Array(), 1e-5, 1e-3);
      worst = Math.max(worst, maxAbsDiff(param.grad.toFloat32Array(), g.toFloat32Array()));
      assert.ok(c <= 0, `gradient of ${key} off by ${c}`);
    }
    t.diagnostic(`gradients: max|Δgrad| ${worst.toExponential(2)}`);
  });

  test(`${name}: savePretrained writes bitsandbytes' layout and quantization_config; it loads back as 4-bit`, { skip }, async () => {
    const model = await load4bit(name);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-4bit-"));
    try {
      model.savePretrained(dir);
      const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
      assert.equal(cfg.quantization_config.quant_method, "bitsandbytes");
      assert.equal(cfg.quantization_config.bnb_4bit_quant_type, "nf4");
      assert.equal(cfg.quantization_config.load_in_4bit, true);
      const saved = readSafetensors(path.join(dir, "model.safetensors")).tensors;
      const first = [...quantLayers(model).keys()][0];
      for (const suffix of ["weight", "weight.absmax", "weight.quant_map", "weight.nested_absmax", "weight.nested_quant_map", "weight.quant_state.bitsandbytes__nf4"]) {
        assert.ok(saved.has(`${first}.${suffix}`), `saved ${first}.${suffix}`);
      }
      assert.equal(saved.get(`${first}.weight`)!.dtype, "U8");
      // No quantization_config passed: config.json's makes it load as 4-bit, codes copied as saved.
      const back = await load4bit(name, dir, false);
      const a = quantLayers(model), b = quantLayers(back);
      assert.deepEqual([...b.keys()], [...a.keys()]);
      for (const [p, layer] of a) assert.deepEqual(b.get(p)!.dequantizedWeight().toFloat32Array(), layer.dequantizedWeight().toFloat32Array(), p);
      const exp = expected(name);
      const inputs = fixtureInputs(name);
      const l1 = model.forward(inputs).loss!.item(), l2 = back.forward(inputs).loss!.item();
      assert.equal(l1, l2);
      void exp;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("bnb_4bit_quant_storage: the packed codes are saved viewed as that dtype ([bytes / itemsize, 1]) and load back", { skip: skipIfMissing(fixturePath("llama_tiny", "case.json")) }, async () => {
  for (const storage of ["bfloat16", "float32", "int8"] as const) {
    const cls = FIXTURE_MODELS.llama_tiny as unknown as { fromPretrained(dir: string, o: object): Promise<PreTrainedModel> };
    const model = await cls.fromPretrained(fixturePath("llama_tiny", "model"), { quiet: true, quantization_config: { ...QC, bnb_4bit_quant_storage: storage } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-storage-"));
    try {
      model.savePretrained(dir);
      const saved = readSafetensors(path.join(dir, "model.safetensors")).tensors;
      const w = saved.get("model.layers.0.self_attn.q_proj.weight")!;
      const itemsize = { bfloat16: 2, float32: 4, int8: 1 }[storage];
      assert.equal(w.dtype, { bfloat16: "BF16", float32: "F32", int8: "I8" }[storage]);
      assert.deepEqual(w.shape, [(32 * 32) / 2 / itemsize, 1]);
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8")).quantization_config.bnb_4bit_quant_storage, storage);
      const back = await cls.fromPretrained(dir, { quiet: true });
      for (const [p, layer] of quantLayers(model)) assert.deepEqual(quantLayers(back).get(p)!.packed, layer.packed, `${storage} ${p}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  // 3 x 6 weights pack into 9 bytes: not a whole number of float16 elements, as torch's view would refuse.
  const { quantize4bit } = await import("../../src/quant/functional.js");
  const { randn } = await import("../../src/tensor/index.js");
  const [packed, state] = quantize4bit(randn([3, 6]), { quant_type: "nf4" });
  assert.throws(() => new Linear4bit(6, 3, packed.data as Uint8Array, state, null, { quant_storage: "float16", where: "x.q_proj" }), /bnb_4bit_quant_storage float16 packs 2 bytes per element, but x.q_proj has 9 bytes/);
});
