// model.dequantize() (dequantizeModel): 4-/8-bit layers back to float layers of the type they
// replaced. GPT-2's projections are Conv1D with (in, out) weights: a float copy saved as an
// nn.Linear (out, in) would be read transposed by Transformers (silently, for square ones).
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { manualSeed, noGrad } from "../../src/tensor/index.js";
import { GPT2LMHeadModel, Conv1D } from "../../src/models/gpt2/modeling.js";
import { GPT2Config } from "../../src/models/gpt2/config.js";
import { dequantizeModel } from "../../src/models/dequantize.js";
import { quantizeModel, parseQuantizationConfig, Linear4bit, Linear8bit, isQuantized } from "../../src/quant/index.js";
import { applyMethod } from "../../src/peft/index.js";
import { exportOnnx } from "../../src/export/onnx.js";

const inputs = { input_ids: [[1, 5, 9, 3, 7, 2]] };
const tiny = () => {
  manualSeed(3);
  return new GPT2LMHeadModel(GPT2Config.fromDict({ vocab_size: 40, n_embd: 64, n_head: 2, n_layer: 2, n_positions: 16 }));
};
const logits = (m: { forward(i: typeof inputs): { logits: { toFloat32Array(): Float32Array } } }) => noGrad(() => m.forward(inputs).logits.toFloat32Array());
function assertClose(got: Float32Array, want: Float32Array, tol: number, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}: ${got[i]} vs ${want[i]} at ${i}`);
}

for (const bits of [4, 8] as const) {
  test(`dequantizeModel on a ${bits}-bit GPT-2 gives Conv1D layers with (in, out) weights, the same logits, and a checkpoint Transformers' layout reloads`, async () => {
    const model = tiny();
    model.eval();
    const qc = parseQuantizationConfig(bits === 4 ? { load_in_4bit: true, bnb_4bit_quant_type: "nf4" } : { load_in_8bit: true, llm_int8_threshold: 0 })!;
    quantizeModel(model, "transformer", qc);
    model.config.quantization_config = qc as never;
    const attn = model.transformer.h.at(0).attn;
    const q = attn.c_proj as unknown as Linear4bit | Linear8bit;
    assert.ok(q instanceof (bits === 4 ? Linear4bit : Linear8bit));
    assert.equal(q.sourceLayout, "in_out");
    const wOutIn = q.dequantizedWeight().toFloat32Array();
    const want = logits(model);

    assert.equal(dequantizeModel(model), 8, "c_attn, c_proj, c_fc, mlp.c_proj in each of 2 layers");
    assert.equal(isQuantized(model), false);
    assert.equal(model.config.quantization_config, undefined);
    const conv = attn.c_proj as unknown as Conv1D;
    assert.ok(conv instanceof Conv1D, `c_proj is a ${conv.constructor.name}`);
    const w = conv.weight.toFloat32Array();
    const C = 64;
    for (let o = 0; o < C; o++) for (let i = 0; i < C; i++) assert.equal(w[i * C + o], wOutIn[o * C + i], "Conv1D weight is (in, out)");
    assert.deepEqual((attn.c_attn as unknown as Conv1D).weight.shape, [64, 192]);
    assertClose(logits(model), want, bits === 4 ? 1e-5 : 1e-3, "dequantized logits");

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-dequant-"));
    try {
      model.savePretrained(dir);
      const saved = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
      assert.equal(saved.quantization_config, undefined);
      const back = await GPT2LMHeadModel.fromPretrained(dir, { quiet: true });
      back.eval();
      assert.equal(isQuantized(back), false);
      assertClose(logits(back), logits(model), 1e-6, "reloaded logits");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("QLoRA on GPT-2 merged with dequantize: Conv1D layers again, logits equal to the adapter model's", () => {
  const model = tiny();
  const pm = applyMethod(model, { method: "qlora", task_type: "CAUSAL_LM", r: 4, lora_alpha: 8, target_modules: ["c_attn", "c_proj"], init_lora_weights: false } as never);
  pm.eval();
  const want = logits(pm as never);
  const merged = pm.mergeAndUnload({ dequantize: "float32" });
  assert.equal(isQuantized(merged), false);
  for (const [p, m] of merged.namedModules()) {
    if (/\.(c_attn|c_proj|c_fc)$/.test(p)) assert.ok(m instanceof Conv1D, `${p} is a ${m.constructor.name}, not Conv1D`);
  }
  assertClose(logits(merged as never), want, 1e-4, "merged logits");
});

test("the exporters refuse a quantized model with the fix, rather than writing packed codes as weights", async () => {
  const model = tiny();
  quantizeModel(model, "transformer", parseQuantizationConfig({ load_in_4bit: true })!);
  await assert.rejects(exportOnnx(model, path.join(os.tmpdir(), `tunelab-never-${process.pid}`)), /has bitsandbytes 4-\/8-bit layers \("transformer\.h\.0\.attn\.c_attn"\); exporters write float weights: call dequantizeModel\(model\) first/);
});
