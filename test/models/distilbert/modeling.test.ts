// DistilBERT: HF key names, equivalence with BERT layers under the key mapping, heads,
// forward/backward smoke, gradient checkpointing, and a short training run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Tensor, manualSeed, zeros } from "../../../src/tensor/index.js";
import {
  BertConfig, BertModel, DistilBertConfig, DistilBertForMaskedLM, DistilBertForQuestionAnswering, DistilBertForSequenceClassification,
  DistilBertForTokenClassification, DistilBertModel,
} from "../../../src/models/index.js";
import { trainSteps } from "../train_helpers.js";

const tiny = { vocab_size: 40, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 32, max_position_embeddings: 12 };
const ids = [[5, 9, 11, 3, 0, 0], [7, 8, 2, 6, 4, 1]];
const attention_mask = [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]];

test("config: DistilBERT keys with hidden_size / num_attention_heads / num_hidden_layers aliases", () => {
  const c = DistilBertConfig.fromDict({});
  assert.equal(c.dim, 768);
  assert.equal(c.hidden_size, 768);
  assert.equal(c.num_attention_heads, 12);
  assert.equal(c.num_hidden_layers, 6);
  assert.equal(c.seq_classif_dropout, 0.2);
  assert.ok(!("hidden_size" in c.toDict()), "aliases are not written to config.json");
  assert.throws(() => DistilBertConfig.fromDict({ dim: 10, n_heads: 4 }), /dim \(10\) is not a multiple of n_heads \(4\)/);
});

test("state dict keys are transformers' DistilBERT keys", () => {
  const keys = [...new DistilBertForSequenceClassification(DistilBertConfig.fromDict(tiny)).stateDict().keys()];
  for (const k of [
    "distilbert.embeddings.word_embeddings.weight", "distilbert.embeddings.position_embeddings.weight", "distilbert.embeddings.LayerNorm.weight",
    "distilbert.transformer.layer.1.attention.q_lin.weight", "distilbert.transformer.layer.1.attention.out_lin.bias",
    "distilbert.transformer.layer.0.sa_layer_norm.weight", "distilbert.transformer.layer.0.ffn.lin1.weight", "distilbert.transformer.layer.0.ffn.lin2.bias",
    "distilbert.transformer.layer.0.output_layer_norm.bias", "pre_classifier.weight", "classifier.bias",
  ]) assert.ok(keys.includes(k), `missing ${k}`);
});

const BERT_NAME: [RegExp, string][] = [
  [/^embeddings\./, "embeddings."],
  [/^transformer\.layer\.(\d+)\.attention\.q_lin\./, "encoder.layer.$1.attention.self.query."],
  [/^transformer\.layer\.(\d+)\.attention\.k_lin\./, "encoder.layer.$1.attention.self.key."],
  [/^transformer\.layer\.(\d+)\.attention\.v_lin\./, "encoder.layer.$1.attention.self.value."],
  [/^transformer\.layer\.(\d+)\.attention\.out_lin\./, "encoder.layer.$1.attention.output.dense."],
  [/^transformer\.layer\.(\d+)\.sa_layer_norm\./, "encoder.layer.$1.attention.output.LayerNorm."],
  [/^transformer\.layer\.(\d+)\.ffn\.lin1\./, "encoder.layer.$1.intermediate.dense."],
  [/^transformer\.layer\.(\d+)\.ffn\.lin2\./, "encoder.layer.$1.output.dense."],
  [/^transformer\.layer\.(\d+)\.output_layer_norm\./, "encoder.layer.$1.output.LayerNorm."],
];

test("DistilBertModel equals a BERT encoder with the same weights (no token types)", () => {
  manualSeed(21);
  const distil = new DistilBertModel(DistilBertConfig.fromDict(tiny)).eval();
  const bert = new BertModel(
    BertConfig.fromDict({ vocab_size: 40, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32, max_position_embeddings: 12, type_vocab_size: 1 }),
    false,
  ).eval();
  const mapped = new Map<string, Tensor>();
  for (const [k, t] of distil.stateDict()) {
    const rule = BERT_NAME.find(([re]) => re.test(k));
    assert.ok(rule, `no mapping for ${k}`);
    mapped.set(k.replace(rule[0], rule[1]), t);
  }
  mapped.set("embeddings.token_type_embeddings.weight", zeros([1, 16]));
  const { missingKeys, unexpectedKeys } = bert.loadStateDict(mapped);
  assert.deepEqual([missingKeys, unexpectedKeys], [[], []]);
  const a = distil.forward({ input_ids: ids, attention_mask }).last_hidden_state.toFloat32Array();
  const b = bert.forward({ input_ids: ids, attention_mask }).last_hidden_state.toFloat32Array();
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `element ${i}: ${a[i]} vs ${b[i]}`);
});

test("heads: shapes, losses, tied vocab projector, gradients", () => {
  manualSeed(22);
  const cfg = DistilBertConfig.fromDict({ ...tiny, num_labels: 3 });
  const seq = new DistilBertForSequenceClassification(cfg).eval();
  const out = seq.forward({ input_ids: ids, attention_mask, labels: [2, 0] });
  assert.deepEqual(out.logits.shape, [2, 3]);
  out.loss!.backward();
  for (const [name, p] of seq.namedParameters()) assert.ok(p.grad, `${name} has no gradient`);

  const reg = new DistilBertForSequenceClassification(DistilBertConfig.fromDict({ ...tiny, num_labels: 1 })).eval();
  const r = reg.forward({ input_ids: ids, attention_mask, labels: tensorOf([0.5, -1.5]) });
  assert.equal(reg.config.problem_type, "regression");
  const logits = r.logits.toFloat32Array();
  const mse = ((logits[0] - 0.5) ** 2 + (logits[1] + 1.5) ** 2) / 2;
  assert.ok(Math.abs(r.loss!.item() - mse) < 1e-5);

  const multi = new DistilBertForSequenceClassification(DistilBertConfig.fromDict({ ...tiny, num_labels: 3 })).eval();
  const target = [[1, 0, 1], [0, 0, 1]];
  const mres = multi.forward({ input_ids: ids, attention_mask, labels: tensorOf(target.flat(), [2, 3]) });
  assert.equal(multi.config.problem_type, "multi_label_classification");
  const x = mres.logits.toFloat32Array();
  const y = target.flat();
  let bce = 0;
  for (let i = 0; i < 6; i++) bce -= y[i] * Math.log(1 / (1 + Math.exp(-x[i]))) + (1 - y[i]) * Math.log(1 - 1 / (1 + Math.exp(-x[i])));
  assert.ok(Math.abs(mres.loss!.item() - bce / 6) < 1e-5);

  const tok = new DistilBertForTokenClassification(cfg).eval();
  assert.deepEqual(tok.forward({ input_ids: ids, attention_mask }).logits.shape, [2, 6, 3]);

  const qa = new DistilBertForQuestionAnswering(DistilBertConfig.fromDict(tiny)).eval();
  const q = qa.forward({ input_ids: ids, attention_mask, start_positions: [0, 2], end_positions: [3, 5] });
  assert.deepEqual(q.end_logits!.shape, [2, 6]);
  q.loss!.backward();
  assert.ok(qa.qa_outputs.param("weight").grad);

  const mlm = new DistilBertForMaskedLM(DistilBertConfig.fromDict(tiny)).eval();
  assert.equal(mlm.vocab_projector.param("weight"), mlm.distilbert.embeddings.word_embeddings.param("weight"));
  const saved = [...mlm.stateDictForSave().keys()];
  assert.ok(saved.includes("vocab_projector.bias") && saved.includes("vocab_layer_norm.weight") && !saved.includes("vocab_projector.weight"));
  const m = mlm.forward({ input_ids: ids, attention_mask, labels: [[-100, 9, -100, -100, -100, -100], [7, -100, -100, -100, -100, -100]] });
  assert.deepEqual(m.logits.shape, [2, 6, 40]);
  m.loss!.backward();
  assert.ok(mlm.vocab_transform.param("weight").grad && mlm.distilbert.embeddings.word_embeddings.param("weight").grad);
});

function tensorOf(values: number[], shape = [values.length]): Tensor {
  return Tensor.fromTypedArray(Float32Array.from(values), shape);
}

test("gradient checkpointing gives identical gradients (also with frozen embeddings)", () => {
  const grads = (checkpointing: boolean, freezeEmbeddings: boolean) => {
    manualSeed(23);
    const model = new DistilBertForSequenceClassification(DistilBertConfig.fromDict({ ...tiny, num_labels: 2 }));
    if (freezeEmbeddings) model.distilbert.embeddings.requiresGrad(false);
    if (checkpointing) model.gradientCheckpointingEnable();
    model.train();
    manualSeed(5); // dropout is on: the recomputation must replay its masks
    model.forward({ input_ids: ids, attention_mask, labels: [1, 0] }).loss!.backward();
    return new Map([...model.namedParameters()].filter(([, p]) => p.requiresGrad).map(([k, p]) => [k, p.grad!.toFloat32Array()]));
  };
  for (const freeze of [false, true]) {
    const plain = grads(false, freeze);
    const ckpt = grads(true, freeze);
    assert.equal(ckpt.size, plain.size);
    for (const [k, g] of plain) assert.deepEqual(ckpt.get(k), g, `gradient of ${k} differs with checkpointing (frozen embeddings: ${freeze})`);
  }
});

test("trains a few steps on a tiny random model and lowers the loss", () => {
  manualSeed(24);
  const model = new DistilBertForSequenceClassification(DistilBertConfig.fromDict({ ...tiny, num_labels: 2, dropout: 0, attention_dropout: 0, seq_classif_dropout: 0 }));
  const losses = trainSteps(model, { input_ids: ids, attention_mask, labels: [1, 0] }, 15);
  assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss went ${losses[0]} -> ${losses[losses.length - 1]}`);
});
