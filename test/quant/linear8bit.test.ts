// Linear8bit (load_in_8bit, LLM.int8): bit-exact against PyTorch running bitsandbytes'
// default-backend algorithm (data/int8_reference.py: bitsandbytes is not installable here) and
// a hand-worked row; the
// fused GEMM (training: bitsandbytes' CPU MatMul8bitFp) equals dequantize-then-linear in
// forward and input gradient; eval runs LLM.int8 (int8 activations, outlier columns in
// float) and matches a plain re-statement of bitsandbytes' algorithm; LoRA gradients through
// an 8-bit llama_tiny equal the same model on the dequantized weights within 1e-4; the
// bitsandbytes layout (weight I8, SCB, weight_format) saves and loads back.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Tensor, randn, linear, manualSeed, noGrad } from "../../src/tensor/index.js";
import { quantizeInt8Rows, type Int8Rows } from "../../src/quant/functional.js";
import { Linear8bit } from "../../src/quant/linear8bit.js";
import { Linear } from "../../src/nn/index.js";
import { PeftModel } from "../../src/peft/index.js";
import { readSafetensors } from "../../src/io/safetensors.js";
import { gradcheck } from "../helpers/gradcheck.js";
import { maxAbsDiff } from "../helpers/close.js";
import { skipIfMissing } from "../helpers/paths.js";
import { FIXTURE_MODELS, fixtureInputs, fixturePath } from "../peft/helpers.js";
import type { PreTrainedModel } from "../../src/models/modeling_utils.js";
import { fileURLToPath } from "node:url";

const f = Math.fround;
const INV127 = f(1 / 127);

/** The weight bitsandbytes' CPU training matmul uses: CB * (SCB * float32(1/127)). */
function trainingWeight(q: Int8Rows): Tensor {
  const w = new Float32Array(q.codes.length);
  for (let e = 0; e < w.length; e++) w[e] = f(q.codes[e] * f(q.scb[Math.floor(e / q.cols)] * INV127));
  return Tensor.fromTypedArray(w, [q.rows, q.cols], "float32");
}

function layer(outF: number, inF: number, bias = true, threshold = 6): Linear8bit {
  return Linear8bit.fromWeight(randn([outF, inF]), bias ? randn([outF]) : null, { threshold });
}

test("int8 rows: float16 first, SCB = max |row|, codes round-half-even((1/SCB)*127*x)", () => {
  // 0.3 is 0.2999267578125 in float16 (38.09 -> 38); 0.5 -> 63.5 -> 64 (ties to even); 2^-25 is 0 in float16.
  const x = Float32Array.from([1, 0.5, -0.25, 0.3, -2, 2 ** -25, 0, 0, 0, 0, 0, 0]);
  const q = quantizeInt8Rows({ data: x, dtype: "float32" }, 3, 4);
  assert.deepEqual([...q.scb], [1, 2, 0]);
  assert.deepEqual([...q.codes], [127, 64, -32, 38, -127, 0, 0, 0, 0, 0, 0, 0]);
  // bf16 and f16 sources give the codes of their values.
  const bf = quantizeInt8Rows({ data: Uint16Array.from([0x3f80, 0xbf00]), dtype: "bfloat16" }, 1, 2);
  assert.deepEqual([...bf.codes], [127, -64]);
});

test("against PyTorch running bitsandbytes' default-backend algorithm (data/int8_reference.py): codes, scales, both dequantizations and LLM.int8 eval outputs", (t) => {
  const ref = readSafetensors(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../test/quant/data/int8_reference.safetensors")).tensors;
  const f32 = (k: string) => { const r = ref.get(k)!; return new Float32Array(r.data.slice().buffer); };
  const i8 = (k: string) => new Int8Array(ref.get(k)!.data.slice().buffer);
  const [rows, cols] = ref.get("w")!.shape;
  const q = quantizeInt8Rows({ data: f32("w"), dtype: "float32" }, rows, cols);
  assert.deepEqual(q.codes, i8("cb"), "CB from float32 weights");
  assert.deepEqual(q.scb, f32("scb"), "SCB from float32 weights");
  const qb = quantizeInt8Rows({ data: new Uint16Array(ref.get("w_bf16")!.data.slice().buffer), dtype: "bfloat16" }, rows, cols);
  assert.deepEqual(qb.codes, i8("cb_bf16"), "CB from bfloat16 weights");
  assert.deepEqual(qb.scb, f32("scb_bf16"));
  assert.deepEqual(trainingWeight(q).toFloat32Array(), f32("w_train"), "MatMul8bitFp's weight, bit for bit");
  const l = new Linear8bit(cols, rows, q, Tensor.fromTypedArray(f32("bias"), [rows], "float32"), { threshold: 6 });
  assert.deepEqual(l.dequantizedWeight().toFloat32Array(), f32("w_dequant"), "int8_vectorwise_dequant, bit for bit");
  l.eval();
  const x = Tensor.fromTypedArray(f32("x"), ref.get("x")!.shape, "float32");
  for (const threshold of [6, 0]) {
    l.threshold = threshold;
    const got = noGrad(() => l.forward(x)).toFloat32Array();
    const want = f32(`y_threshold${threshold}`);
    const d = maxAbsDiff(got, want);
    t.diagnostic(`LLM.int8 eval, threshold ${threshold}: max |Δ| vs torch ${d.toExponential(2)}`);
    assert.ok(d <= 1e-6, `LLM.int8 eval (threshold ${threshold}) differs from torch by ${d}`);
  }
});

test("training forward and input gradient equal dequantize-then-linear (bitsandbytes' MatMul8bitFp)", () => {
  manualSeed(1);
  for (const [outF, inF, rows] of [[70, 96, 5], [33, 130, 1], [130, 64, 37]]) {
    const l = layer(outF, inF);
    l.train();
    const x = randn([rows, inF]).setRequiresGrad(true);
    const y = l.forward(x);
    const xr = x.detach().setRequiresGrad(true);
    const yr = linear(xr, trainingWeight(l.int8), l.bias);
    const d = maxAbsDiff(y.toFloat32Array(), yr.toFloat32Array());
    assert.ok(d <= 1e-5 * Math.sqrt(inF), `forward differs by ${d}`);
    const g = randn(y.shape);
    y.backward(g);
    yr.backward(g);
    const dg = maxAbsDiff(x.grad!.toFloat32Array(), xr.grad!.toFloat32Array());
    assert.ok(dg <= 1e-5 * Math.sqrt(outF), `dx differs by ${dg}`);
  }
});

test("gradcheck: input and bias gradients; the int8 weight is bitsandbytes' buffers, not a parameter", () => {
  manualSeed(2);
  const l = layer(12, 64);
  l.train();
  const x = randn([3, 2, 64]).setRequiresGrad(true);
  l.bias!.requiresGrad = true;
  gradcheck((a, b) => { void b; return l.forward(a); }, [x, l.bias!]);
  assert.deepEqual([...l.namedParameters()].map(([k]) => k), ["bias"]);
  assert.deepEqual([...l.stateDict().keys()].sort(), ["SCB", "bias", "weight", "weight_format"]);
});

/** bitsandbytes' MatMul8bitLt (default kernels) restated plainly, in float64 where it sums. */
function llmInt8Reference(x: Float32Array, N: number, K: number, q: Int8Rows, bias: Float32Array | null, threshold: number): Float32Array {
  const h = new Float32Array(x.length);
  // float16 rounding written out: 11 significant bits (a 2^-24 quantum below 2^-14), ties to even.
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a === 0) { h[i] = 0; continue; }
    const e = Math.max(Math.floor(Math.log2(a)) - 10, -24);
    let m = a / 2 ** e;
    const r = Math.round(m);
    m = r - m === 0.5 && r % 2 ? r - 1 : r;
    h[i] = Math.sign(x[i]) * m * 2 ** e;
  }
  const cols = new Set<number>();
  if (threshold > 0) for (let i = 0; i < h.length; i++) if (Math.abs(h[i]) >= threshold) cols.add(i % K), (h[i] = 0);
  const out = new Float32Array(N * q.rows);
  for (let r = 0; r < N; r++) {
    let am = 0;
    for (let c = 0; c < K; c++) am = Math.max(am, Math.abs(h[r * K + c]));
    const s = f(f(1 / am) * 127);
    const ca = new Float64Array(K);
    for (let c = 0; c < K; c++) {
      const v = f(h[r * K + c] * s);
      const rr = Math.round(v);
      ca[c] = cols.has(c) && N > 1 ? 0 : rr - v === 0.5 && rr % 2 ? rr - 1 : rr;
    }
    for (let j = 0; j < q.rows; j++) {
      let acc = 0;
      for (let c = 0; c < K; c++) acc += ca[c] * q.codes[j * K + c];
      let y = f(f(acc * f(am * q.scb[j])) * f(6.200124e-5));
      if (bias) y = f(y + bias[j]);
      for (const c of cols) y += x[r * K + c] * f(f(q.codes[j * K + c] * q.scb[j]) * INV127);
      out[r * q.rows + j] = y;
    }
  }
  return out;
}

test("eval runs LLM.int8: int8 activations, outlier columns (|x| >= llm_int8_threshold) in float32", () => {
  manualSeed(3);
  const K = 96, outF = 40, N = 6;
  const l = layer(outF, K);
  l.eval();
  const x = randn([N, K]);
  const xf = x.toFloat32Array();
  xf[2 * K + 7] = 9.5; // an outlier: column 7 leaves the int8 product for every row
  xf[4 * K + 50] = -7;
  const xo = Tensor.fromTypedArray(xf, [N, K], "float32");
  const bias = l.bias!.toFloat32Array();
  for (const threshold of [6, 0]) {
    l.threshold = threshold;
    const got = noGrad(() => l.forward(xo)).toFloat32Array();
    const want = llmInt8Reference(xf, N, K, l.int8, bias, threshold);
    const d = maxAbsDiff(got, want);
    assert.ok(d <= 1e-4, `threshold ${threshold}: LLM.int8 differs from the reference by ${d}`);
  }
  // The decomposition is what keeps the outlier rows accurate: compare with float compute.
  const exact = linear(xo, trainingWeight(l.int8), l.bias).toFloat32Array();
  const rowErr = (y: Float32Array) => { let m = 0; for (let j = 0; j < outF; j++) m = Math.max(m, Math.abs(y[2 * outF + j] - exact[2 * outF + j])); return m; };
  l.threshold = 6;
  const withOutliers = rowErr(noGrad(() => l.forward(xo)).toFloat32Array());
  l.threshold = 0;
  const without = rowErr(noGrad(() => l.forward(xo)).toFloat32Array());
  assert.ok(withOutliers < without, `outlier decomposition should help the outlier row: ${withOutliers} vs ${without}`);
});

const skip = skipIfMissing(fixturePath("llama_tiny", "case.json"));
const QC8 = { load_in_8bit: true } as const;

async function loadLlama(opts: object): Promise<PreTrainedModel> {
  const cls = FIXTURE_MODELS.llama_tiny as unknown as { fromPretrained(dir: string, o: object): Promise<PreTrainedModel> };
  return cls.fromPretrained(fixturePath("llama_tiny", "model"), { quiet: true, ...opts });
}

function int8Layers(m: PreTrainedModel): Map<string, Linear8bit> {
  const out = new Map<string, Linear8bit>();
  for (const [p, mod] of m.namedModules()) if (mod instanceof Linear8bit) out.set(p, mod);
  return out;
}

test("llama_tiny in 8 bits + LoRA: loss and adapter gradients equal the model on the dequantized weights within 1e-4", { skip }, async (t) => {
  const q = await loadLlama({ quantization_config: QC8 });
  const layers = int8Layers(q);
  assert.equal(layers.size, 14, "every linear of the decoder layers is 8-bit; lm_head stays float32");
  const ref = await loadLlama({});
  for (const [p, l] of layers) (ref.getSubmodule(p) as Linear).setParameter("weight", trainingWeight(l.int8));
  const run = (m: PreTrainedModel) => {
    const pm = PeftModel.fromPretrained(m, fixturePath("llama_tiny", "adapters", "lora"), { is_trainable: true });
    pm.train();
    const out = pm.forward(fixtureInputs("llama_tiny"));
    out.loss!.backward();
    return { loss: out.loss!.item(), grads: new Map([...pm.adapterStateDict()].map(([k, v]) => [k, v.grad!.toFloat32Array()])) };
  };
  const a = run(q), b = run(ref);
  const original = run(await loadLlama({}));
  assert.ok(Math.abs(original.loss - b.loss) > 1e-4, "the int8 rounding changes the loss (the comparison is not vacuous)");
  assert.ok(Math.abs(a.loss - b.loss) <= 1e-5, `loss ${a.loss} vs ${b.loss}`);
  let worst = 0;
  for (const [k, g] of b.grads) worst = Math.max(worst, maxAbsDiff(a.grads.get(k)!, g));
  t.diagnostic(`loss ${a.loss.toFixed(6)}; max |Δgrad| ${worst.toExponential(2)}`);
  assert.ok(worst <= 1e-4, `adapter gradients differ by ${worst}`);
});

test("gradient checkpointing through the 8-bit base gives the same adapter gradients", { skip }, async () => {
  const run = async (checkpointing: boolean) => {
    const m = await loadLlama({ quantization_config: QC8 });
    if (checkpointing) m.gradientCheckpointingEnable();
    assert.equal(m.gradientCheckpointing, checkpointing);
    const pm = PeftModel.fromPretrained(m, fixturePath("llama_tiny", "adapters", "lora"), { is_trainable: true });
    pm.train();
    const out = pm.forward(fixtureInputs("llama_tiny"));
    out.loss!.backward();
    return [...pm.adapterStateDict()].map(([k, v]) => [k, v.grad!.toFloat32Array()] as const);
  };
  const [plain, ckpt] = [await run(false), await run(true)];
  for (let i = 0; i < plain.length; i++) assert.deepEqual(ckpt[i][1], plain[i][1], plain[i][0]);
});

test("savePretrained writes bitsandbytes' 8-bit layout; it loads back as 8-bit with the same codes", { skip }, async () => {
  const model = await loadLlama({ quantization_config: QC8 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tunelab-8bit-"));
  try {
    model.savePretrained(dir);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
    assert.equal(cfg.quantization_config.load_in_8bit, true);
    assert.equal(cfg.quantization_config.llm_int8_threshold, 6);
    const saved = readSafetensors(path.join(dir, "model.safetensors")).tensors;
    const first = "model.layers.0.self_attn.q_proj";
    assert.equal(saved.get(`${first}.weight`)!.dtype, "I8");
    assert.deepEqual(saved.get(`${first}.weight`)!.shape, [32, 32]);
    assert.equal(saved.get(`${first}.SCB`)!.dtype, "F32");
    assert.deepEqual([...saved.get(`${first}.weight_format`)!.data], [0]);
    assert.equal(saved.get("lm_head.weight")!.dtype, "F32");
    const reloaded = await (FIXTURE_MODELS.llama_tiny as unknown as { fromPretrained(d: string, o: object): Promise<PreTrainedModel> }).fromPretrained(dir, { quiet: true });
    const a = int8Layers(model), b = int8Layers(reloaded);
    assert.deepEqual([...b.keys()], [...a.keys()]);
    for (const [p, l] of a) {
      assert.deepEqual(b.get(p)!.int8.codes, l.int8.codes, p);
      assert.deepEqual(b.get(p)!.int8.scb, l.int8.scb, p);
    }
    const inputs = fixtureInputs("llama_tiny");
    assert.equal(model.forward(inputs).loss!.item(), reloaded.forward(inputs).loss!.item());
    // A corrupt layout is refused with the key.
    const bad = readSafetensors(path.join(dir, "model.safetensors")).tensors;
    bad.get(`${first}.weight_format`)!.data[0] = 1;
    const { writeSafetensors } = await import("../../src/io/safetensors.js");
    writeSafetensors(path.join(dir, "model.safetensors"), bad, null);
    await assert.rejects((FIXTURE_MODELS.llama_tiny as unknown as { fromPretrained(d: string, o: object): Promise<PreTrainedModel> }).fromPretrained(dir, { quiet: true }), /weight_format" is 1; only 0 \(row-major\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("mergeAndUnload on an 8-bit base: re-quantized to int8 (PEFT's way), or an exact float32 model", { skip }, async () => {
  const inputs = fixtureInputs("llama_tiny");
  const adapter = fixturePath("llama_tiny", "adapters", "lora");
  const pm = PeftModel.fromPretrained(await loadLlama({ quantization_config: QC8 }), adapter, { is_trainable: false });
  // Nonzero B so the merge changes the weights.
  for (const [k, v] of pm.adapterStateDict()) if (k.includes("lora_B")) v.f32().fill(0.01);
  pm.train(); // the dequantizing matmul, so the float32 merge is exact up to summation order
  const want = pm.forward(inputs).logits.toFloat32Array();
  const exact = pm.mergeAndUnload({ dequantize: "float32" });
  assert.equal(int8Layers(exact).size, 0);
  exact.train();
  const got = exact.forward(inputs).logits.toFloat32Array();
  assert.ok(maxAbsDiff(got, want) <= 1e-4, `merged float32 logits differ by ${maxAbsDiff(got, want)}`);
  const pm2 = PeftModel.fromPretrained(await loadLlama({ quantization_config: QC8 }), adapter, { is_trainable: false });
  for (const [k, v] of pm2.adapterStateDict()) if (k.includes("lora_B")) v.f32().fill(0.01);
  const requant = pm2.mergeAndUnload();
  assert.equal(int8Layers(requant).size, 14, "still 8-bit");
  requant.train();
  const d = maxAbsDiff(requant.forward(inputs).logits.toFloat32Array(), want);
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(d > 0 && d < 0.02 * scale, `re-quantized merge moved logits by ${d} (max |logit| ${scale})`);
});

test("bad 8-bit configurations are refused with the key", async () => {
  const { parseQuantizationConfig } = await import("../../src/quant/config.js");
  assert.throws(() => parseQuantizationConfig({ load_in_8bit: true, load_in_4bit: true }), /both true; choose one/);
  assert.throws(() => parseQuantizationConfig({ load_in_8bit: true, llm_int8_has_fp16_weight: true }), /llm_int8_has_fp16_weight: true .* is not supported/);
  assert.throws(() => parseQuantizationConfig({ load_in_8bit: true, llm_int8_threshold: -1 }), /llm_int8_threshold must be a non-negative number/);
  assert.equal(parseQuantizationConfig({ load_in_8bit: true })!.llm_int8_threshold, 6);
});
