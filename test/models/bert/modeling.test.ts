// BERT parity with ../shared/fixtures/bert_tiny (HF transformers, float32, eval mode):
// logits, loss, hidden states, pooler and the gradient of every parameter; then loading
// (round trip, bf16, base -> head, key reports) and gradient checkpointing.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Tensor, manualSeed, noGrad } from "../../../src/tensor/index.js";
import { loadTensors } from "../../../src/io/tensors.js";
import { float32ToRaw, readSafetensors, writeSafetensors } from "../../../src/io/safetensors.js";
import { BertConfig, BertForMaskedLM, BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification, BertModel } from "../../../src/models/index.js";
import { assertClose } from "../../helpers/close.js";
import { fixturesDir, skipIfMissing } from "../../helpers/paths.js";

const FIX = path.join(fixturesDir, "bert_tiny");
const MODEL_DIR = path.join(FIX, "model");
const skip = skipIfMissing(FIX);

/** max |a - e| and max |a - e| / |e| (over |e| > 1e-6). */
export function errors(actual: Tensor | Float32Array, expected: Tensor | Float32Array): { abs: number; rel: number } {
  const a = actual instanceof Tensor ? actual.toFloat32Array() : actual;
  const e = expected instanceof Tensor ? expected.toFloat32Array() : expected;
  assert.equal(a.length, e.length);
  let abs = 0;
  let rel = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - e[i]);
    abs = Math.max(abs, d);
    if (Math.abs(e[i]) > 1e-6) rel = Math.max(rel, d / Math.abs(e[i]));
  }
  return { abs, rel };
}

/** Asserts |a - e| <= atol + rtol |e| elementwise, naming the worst element. */
export function assertAllClose(actual: Tensor, expected: Tensor, atol: number, rtol: number, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assertClose(actual.toFloat32Array(), expected.toFloat32Array(), atol, rtol, what);
}

function loadExpected(): Map<string, Tensor> {
  return loadTensors(path.join(FIX, "expected.safetensors"));
}

function inputsOf(exp: Map<string, Tensor>) {
  return {
    input_ids: exp.get("input_ids")!,
    attention_mask: exp.get("attention_mask")!,
    token_type_ids: exp.get("token_type_ids")!,
    labels: exp.get("labels")!,
  };
}

function tmpDir(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `tunelab-${name}-`));
}

test("bert_tiny: logits, loss, hidden states and every gradient match HF", { skip }, async (t) => {
  const exp = loadExpected();
  const model = await BertForSequenceClassification.fromPretrained(MODEL_DIR, { quiet: true });
  assert.equal(model.config.num_labels, 2);
  assert.deepEqual(model.loadReport!.missingKeys, []);
  assert.deepEqual(model.loadReport!.unexpectedKeys, []);
  const out = model.forward(inputsOf(exp));
  const report: string[] = [];
  const check = (name: string, actual: Tensor, atol: number, rtol: number) => {
    const expected = exp.get(name)!;
    const e = errors(actual, expected);
    report.push(`${name}: max abs ${e.abs.toExponential(2)}, max rel ${e.rel.toExponential(2)}`);
    assertAllClose(actual, expected, atol, rtol, name);
  };
  check("full.logits", out.logits, 1e-4, 1e-4);
  check("full.loss", out.loss!, 1e-5, 1e-5);
  assert.equal(model.config.problem_type, "single_label_classification", "integer labels with 2 classes: decided like HF");
  // The head runs the last layer for [CLS] alone and returns no per-token states (as HF's
  // SequenceClassifierOutput); the base model gives them all. The gradients below go
  // through the pruned pass and still match HF's full one.
  assert.equal(out.last_hidden_state, undefined);
  check("full.last_hidden_state", noGrad(() => model.bert.forward(inputsOf(exp)).last_hidden_state), 1e-4, 1e-4);
  check("full.pooler_output", out.pooler_output!, 1e-4, 1e-4);
  out.loss!.backward();
  let worstAbs = 0;
  let worstRel = 0;
  let compared = 0;
  for (const [name, p] of model.namedParameters()) {
    const expected = exp.get(`full.grad.${name}`);
    assert.ok(expected, `the fixture has no gradient for ${name}`);
    assert.ok(p.grad, `${name} received no gradient`);
    // key biases' true gradient is 0 (softmax is shift-invariant): absolute tolerance only.
    const keyBias = name.endsWith("attention.self.key.bias");
    const e = errors(p.grad, expected);
    if (!keyBias) {
      worstAbs = Math.max(worstAbs, e.abs);
      worstRel = Math.max(worstRel, e.rel);
    }
    assertAllClose(p.grad, expected, 1e-5, keyBias ? 0 : 1e-3, `grad ${name}`);
    compared++;
  }
  assert.equal(compared, [...exp.keys()].filter((k) => k.startsWith("full.grad.")).length);
  // The padding row (pad_token_id 0) of word_embeddings gets no gradient although id 0 appears.
  const wordGrad = model.bert.embeddings.word_embeddings.param("weight").grad!.toFloat32Array();
  assert.ok(wordGrad.subarray(0, 32).every((v: number) => v === 0));
  report.push(`grads (${compared} tensors, key biases excluded): max abs ${worstAbs.toExponential(2)}, max rel ${worstRel.toExponential(2)}`);
  t.diagnostic(report.join("\n"));
});

test("bert_tiny: gradient checkpointing gives the same gradients", { skip }, async () => {
  const exp = loadExpected();
  const grads = async (checkpointing: boolean) => {
    const config = { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };
    const model = await BertForSequenceClassification.fromPretrained(MODEL_DIR, { quiet: true, config });
    if (checkpointing) model.gradientCheckpointingEnable();
    model.train(); // checkpointing applies in training mode
    model.forward(inputsOf(exp)).loss!.backward();
    return new Map([...model.namedParameters()].map(([k, p]) => [k, p.grad!.toFloat32Array()]));
  };
  const plain = await grads(false);
  const ckpt = await grads(true);
  for (const [k, g] of plain) assert.deepEqual(ckpt.get(k), g, `gradient of ${k} differs with checkpointing`);
});

test("bert_tiny: gradient checkpointing with dropout replays the same masks", { skip }, async () => {
  const exp = loadExpected();
  const grads = async (checkpointing: boolean) => {
    const model = await BertForSequenceClassification.fromPretrained(MODEL_DIR, { quiet: true });
    if (checkpointing) model.gradientCheckpointingEnable();
    model.train();
    manualSeed(7);
    model.forward(inputsOf(exp)).loss!.backward();
    return new Map([...model.namedParameters()].map(([k, p]) => [k, p.grad!.toFloat32Array()]));
  };
  const plain = await grads(false);
  const ckpt = await grads(true);
  for (const [k, g] of plain) assert.deepEqual(ckpt.get(k), g, `gradient of ${k} differs with checkpointing`);
});

test("save -> load round trip gives identical tensors and config", { skip }, async () => {
  const model = await BertForSequenceClassification.fromPretrained(MODEL_DIR, { quiet: true });
  const dir = tmpDir("bert-save");
  model.savePretrained(dir);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, "config.json"), "utf8"));
  assert.equal(cfg.model_type, "bert");
  assert.deepEqual(cfg.architectures, ["BertForSequenceClassification"]);
  assert.equal(cfg.layer_norm_eps, 1e-12);
  const again = await BertForSequenceClassification.fromPretrained(dir, { quiet: true });
  const a = model.stateDict();
  const b = again.stateDict();
  assert.deepEqual([...b.keys()], [...a.keys()]);
  for (const [k, t] of a) assert.deepEqual(b.get(k)!.toFloat32Array(), t.toFloat32Array(), k);
  // The saved file holds exactly the HF keys of the original checkpoint.
  const saved = [...readSafetensors(path.join(dir, "model.safetensors")).tensors.keys()].sort();
  const orig = [...readSafetensors(path.join(MODEL_DIR, "model.safetensors")).tensors.keys()].sort();
  assert.deepEqual(saved, orig);
  fs.rmSync(dir, { recursive: true });
});

test("a bf16 checkpoint loads (as float32 by default; Linear weights stay bf16 with torch_dtype)", { skip }, async () => {
  const dir = tmpDir("bert-bf16");
  fs.copyFileSync(path.join(MODEL_DIR, "config.json"), path.join(dir, "config.json"));
  const raw = readSafetensors(path.join(MODEL_DIR, "model.safetensors")).tensors;
  const bf = new Map([...raw].map(([k, r]) => [k, float32ToRaw(loadOne(r), [...r.shape], "BF16")]));
  writeSafetensors(path.join(dir, "model.safetensors"), bf);
  const exp = loadExpected();
  const ref = await BertForSequenceClassification.fromPretrained(MODEL_DIR, { quiet: true });
  const f32 = await BertForSequenceClassification.fromPretrained(dir, { quiet: true });
  for (const [, p] of f32.namedParameters()) assert.equal(p.dtype, "float32");
  const q = f32.stateDict().get("bert.pooler.dense.weight")!.toFloat32Array();
  const r = ref.stateDict().get("bert.pooler.dense.weight")!.toFloat32Array();
  assert.ok(errors(q, r).rel <= 1 / 128, "bf16 keeps ~8 bits of mantissa");
  const logits = f32.forward(inputsOf(exp)).logits;
  assert.ok(errors(logits, exp.get("full.logits")!).abs < 5e-2);
  const half = await BertForSequenceClassification.fromPretrained(dir, { quiet: true, torch_dtype: "bfloat16" });
  const sd = half.stateDict();
  assert.equal(sd.get("bert.encoder.layer.0.attention.self.query.weight")!.dtype, "bfloat16");
  assert.equal(sd.get("bert.embeddings.word_embeddings.weight")!.dtype, "float32");
  assert.equal(sd.get("bert.embeddings.LayerNorm.weight")!.dtype, "float32");
  const halfLogits = half.forward(inputsOf(exp)).logits;
  assert.ok(errors(halfLogits, logits).abs < 1e-3, "bf16 matmul weights give the bf16 model's logits");
  fs.rmSync(dir, { recursive: true });
});

function loadOne(r: { dtype: string; shape: number[]; data: Uint8Array }): Float32Array {
  return new Float32Array(r.data.buffer.slice(r.data.byteOffset, r.data.byteOffset + r.data.byteLength));
}

/** A base BertModel checkpoint written from the fixture (keys without "bert.", no classifier). */
async function writeBaseCheckpoint(): Promise<string> {
  const base = await BertModel.fromPretrained(MODEL_DIR, { quiet: true });
  const dir = tmpDir("bert-base");
  base.savePretrained(dir);
  return dir;
}

test("loading a base checkpoint into a head names the newly initialised classifier weights", { skip }, async () => {
  const dir = await writeBaseCheckpoint();
  const keys = [...readSafetensors(path.join(dir, "model.safetensors")).tensors.keys()];
  assert.ok(keys.includes("embeddings.word_embeddings.weight") && keys.includes("pooler.dense.weight"));
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  let model: BertForSequenceClassification;
  try {
    model = await BertForSequenceClassification.fromPretrained(dir, { config: { num_labels: 3 } });
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(model.loadReport!.newlyInitialized, ["classifier.weight", "classifier.bias"]);
  assert.deepEqual(model.loadReport!.unexpectedKeys, []);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /Some weights of BertForSequenceClassification were not initialized .* newly initialized: \[classifier\.weight, classifier\.bias\]/);
  assert.deepEqual(model.classifier.param("weight").shape, [3, 32]);
  const ref = await BertForSequenceClassification.fromPretrained(MODEL_DIR, { quiet: true });
  assert.deepEqual(model.stateDict().get("bert.encoder.layer.1.output.dense.weight")!.toFloat32Array(), ref.stateDict().get("bert.encoder.layer.1.output.dense.weight")!.toFloat32Array());
  fs.rmSync(dir, { recursive: true });
});

test("missing and unexpected keys are reported by name", { skip }, async () => {
  const dir = tmpDir("bert-keys");
  fs.copyFileSync(path.join(MODEL_DIR, "config.json"), path.join(dir, "config.json"));
  const raw = new Map(readSafetensors(path.join(MODEL_DIR, "model.safetensors")).tensors);
  raw.delete("bert.encoder.layer.1.output.dense.bias");
  raw.set("bert.encoder.layer.1.output.dense.bais", float32ToRaw(new Float32Array(32), [32]));
  writeSafetensors(path.join(dir, "model.safetensors"), raw);
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (msg: string) => warnings.push(msg);
  let model: BertForSequenceClassification;
  try {
    model = await BertForSequenceClassification.fromPretrained(dir);
  } finally {
    console.warn = warn;
  }
  assert.deepEqual(model.loadReport!.missingKeys, ["bert.encoder.layer.1.output.dense.bias"]);
  assert.deepEqual(model.loadReport!.unexpectedKeys, ["bert.encoder.layer.1.output.dense.bais"]);
  assert.ok(warnings.some((w) => w.includes("were not used") && w.includes("bert.encoder.layer.1.output.dense.bais")));
  assert.ok(warnings.some((w) => w.includes("newly initialized") && w.includes("bert.encoder.layer.1.output.dense.bias")));
  fs.rmSync(dir, { recursive: true });
});

test("config: HF defaults, divisibility check, labels", () => {
  const c = BertConfig.fromDict({});
  assert.equal(c.vocab_size, 30522);
  assert.equal(c.hidden_size, 768);
  assert.equal(c.layer_norm_eps, 1e-12);
  assert.equal(c.hidden_act, "gelu");
  assert.equal(c.type_vocab_size, 2);
  assert.equal(c.max_position_embeddings, 512);
  assert.equal(c.pad_token_id, 0);
  assert.equal(c.classifier_dropout, null);
  assert.equal(c.position_embedding_type, "absolute");
  assert.equal(c.model_type, "bert");
  assert.equal(c.num_labels, 2);
  assert.throws(() => BertConfig.fromDict({ hidden_size: 30, num_attention_heads: 4 }), /hidden_size \(30\) is not a multiple of num_attention_heads \(4\)/);
  assert.equal(BertConfig.fromDict({ num_labels: 5 }).num_labels, 5);
});

const tinyDict = { vocab_size: 50, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 16 };

test("token classification, QA and masked LM heads: shapes, losses and tied weights", () => {
  manualSeed(3);
  const cfg = BertConfig.fromDict({ ...tinyDict, num_labels: 4 });
  const ids = [[2, 5, 7, 9, 0], [3, 4, 6, 0, 0]];
  const attention_mask = [[1, 1, 1, 1, 0], [1, 1, 1, 0, 0]];
  const tok = new BertForTokenClassification(cfg).eval();
  const t = tok.forward({ input_ids: ids, attention_mask, labels: [[0, 1, 2, 3, -100], [1, 1, 0, -100, -100]] });
  assert.deepEqual(t.logits.shape, [2, 5, 4]);
  assert.ok(Number.isFinite(t.loss!.item()));
  assert.ok(![...tok.stateDict().keys()].some((k) => k.includes("pooler")));
  assert.ok(tok.stateDict().has("bert.encoder.layer.0.attention.self.query.weight"));

  const qa = new BertForQuestionAnswering(BertConfig.fromDict(tinyDict)).eval();
  const q = qa.forward({ input_ids: ids, attention_mask, start_positions: [1, 9], end_positions: [3, 2] });
  assert.deepEqual(q.start_logits!.shape, [2, 5]);
  assert.deepEqual(q.end_logits!.shape, [2, 5]);
  assert.ok(Number.isFinite(q.loss!.item()));
  q.loss!.backward();
  assert.ok(qa.qa_outputs.param("weight").grad);

  const mlm = new BertForMaskedLM(BertConfig.fromDict(tinyDict)).eval();
  assert.equal(mlm.cls.predictions.decoder.param("weight"), mlm.bert.embeddings.word_embeddings.param("weight"));
  assert.equal(mlm.cls.predictions.decoder.param("bias"), mlm.cls.predictions.bias);
  const m = mlm.forward({ input_ids: ids, attention_mask, labels: [[-100, 5, -100, -100, -100], [-100, -100, 6, -100, -100]] });
  assert.deepEqual(m.logits.shape, [2, 5, 50]);
  m.loss!.backward();
  assert.ok(mlm.cls.predictions.bias.grad);
  const saved = [...mlm.stateDictForSave().keys()];
  assert.ok(saved.includes("cls.predictions.bias") && !saved.includes("cls.predictions.decoder.weight") && !saved.includes("cls.predictions.decoder.bias"));
});

test("masked LM save -> load keeps the decoder tied and reports nothing missing", async () => {
  manualSeed(4);
  const mlm = new BertForMaskedLM(BertConfig.fromDict(tinyDict)).eval();
  const dir = tmpDir("bert-mlm");
  mlm.savePretrained(dir);
  const again = await BertForMaskedLM.fromPretrained(dir, { quiet: true });
  assert.deepEqual(again.loadReport!.newlyInitialized, []);
  assert.deepEqual(again.loadReport!.unexpectedKeys, []);
  assert.equal(again.cls.predictions.decoder.param("weight"), again.bert.embeddings.word_embeddings.param("weight"));
  assert.equal(again.cls.predictions.decoder.param("bias"), again.cls.predictions.bias);
  const inputs = { input_ids: [[2, 5, 7, 9]], attention_mask: [[1, 1, 1, 1]] };
  assert.deepEqual(again.forward(inputs).logits.toFloat32Array(), mlm.forward(inputs).logits.toFloat32Array());
  fs.rmSync(dir, { recursive: true });
});
