// RoBERTa: position ids from padding, equivalence with BERT layers given those positions,
// heads (classifier.dense/out_proj, lm_head tied), forward/backward, a short training run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, tensor } from "../../../src/tensor/index.js";
import { trainSteps } from "../train_helpers.js";
import {
  BertConfig, BertModel, RobertaConfig, RobertaForMaskedLM, RobertaForQuestionAnswering, RobertaForSequenceClassification,
  RobertaForTokenClassification, RobertaModel, createPositionIdsFromInputIds,
} from "../../../src/models/index.js";

const tiny = { vocab_size: 60, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32, max_position_embeddings: 20, type_vocab_size: 1, layer_norm_eps: 1e-5 };
// pad_token_id is 1: right-padded and left-padded rows.
const ids = [[0, 5, 9, 11, 2, 1, 1], [1, 1, 0, 7, 8, 2, 1], [0, 4, 4, 4, 4, 4, 2]];
const attention_mask = ids.map((row) => row.map((v) => (v === 1 ? 0 : 1)));

test("position ids count real tokens from padding_idx + 1; padding keeps padding_idx", () => {
  const pos = createPositionIdsFromInputIds(tensor(ids, { dtype: "int32" }), 1);
  assert.deepEqual(pos.tolist(), [[2, 3, 4, 5, 6, 1, 1], [1, 1, 2, 3, 4, 5, 1], [2, 3, 4, 5, 6, 7, 8]]);
});

test("config: RoBERTa defaults over BERT's", () => {
  const c = RobertaConfig.fromDict({});
  assert.equal(c.model_type, "roberta");
  assert.equal(c.vocab_size, 50265);
  assert.equal(c.pad_token_id, 1);
  assert.equal(c.bos_token_id, 0);
  assert.equal(c.eos_token_id, 2);
  assert.equal(c.hidden_size, 768);
});

test("RobertaModel equals BertModel with the same weights fed RoBERTa's position ids", () => {
  manualSeed(11);
  const roberta = new RobertaModel(RobertaConfig.fromDict(tiny)).eval();
  const bert = new BertModel(BertConfig.fromDict({ ...tiny, pad_token_id: 1 })).eval();
  const report = bert.loadStateDict(roberta.stateDict(), { strict: true });
  assert.deepEqual(report.missingKeys, []);
  // The position table's padding row is zero at init, as nn.Embedding(padding_idx) makes it.
  const posTable = roberta.embeddings.position_embeddings.param("weight").toFloat32Array();
  assert.ok(posTable.subarray(16, 32).every((v) => v === 0));
  const a = roberta.forward({ input_ids: ids, attention_mask });
  const position_ids = createPositionIdsFromInputIds(tensor(ids, { dtype: "int32" }), 1);
  const b = bert.forward({ input_ids: ids, attention_mask, position_ids });
  assert.deepEqual(a.last_hidden_state.toFloat32Array(), b.last_hidden_state.toFloat32Array());
  assert.deepEqual(a.pooler_output!.toFloat32Array(), b.pooler_output!.toFloat32Array());
  // Without the RoBERTa positions the outputs differ (the offset of 2 matters).
  const c = bert.forward({ input_ids: ids, attention_mask });
  assert.notDeepEqual(a.last_hidden_state.toFloat32Array(), c.last_hidden_state.toFloat32Array());
});

test("heads: HF key names, shapes, losses, gradients", () => {
  manualSeed(12);
  const cfg = RobertaConfig.fromDict({ ...tiny, num_labels: 3 });
  const seq = new RobertaForSequenceClassification(cfg).eval();
  const keys = [...seq.stateDict().keys()];
  for (const k of ["classifier.dense.weight", "classifier.out_proj.weight", "classifier.out_proj.bias", "roberta.embeddings.position_embeddings.weight"]) {
    assert.ok(keys.includes(k), `missing ${k}`);
  }
  assert.ok(!keys.some((k) => k.includes("pooler")), "the classification head uses no pooler");
  const out = seq.forward({ input_ids: ids, attention_mask, labels: [0, 2, 1] });
  assert.deepEqual(out.logits.shape, [3, 3]);
  out.loss!.backward();
  for (const [name, p] of seq.namedParameters()) {
    if (name === "roberta.embeddings.token_type_embeddings.weight") continue;
    assert.ok(p.grad, `${name} has no gradient`);
  }
  // The position table's padding row gets no gradient.
  const pg = seq.roberta.embeddings.position_embeddings.param("weight").grad!.toFloat32Array();
  assert.ok(pg.subarray(16, 32).every((v) => v === 0));

  const tok = new RobertaForTokenClassification(cfg).eval();
  assert.ok(tok.stateDict().has("roberta.encoder.layer.0.attention.self.query.weight"));
  assert.deepEqual(tok.forward({ input_ids: ids, attention_mask }).logits.shape, [3, 7, 3]);

  const qa = new RobertaForQuestionAnswering(RobertaConfig.fromDict(tiny)).eval();
  assert.ok(qa.stateDict().has("roberta.embeddings.word_embeddings.weight") && qa.stateDict().has("qa_outputs.weight"));
  const q = qa.forward({ input_ids: ids, attention_mask, start_positions: [1, 3, 2], end_positions: [3, 4, 5] });
  assert.deepEqual(q.start_logits!.shape, [3, 7]);
  assert.ok(Number.isFinite(q.loss!.item()));

  const mlm = new RobertaForMaskedLM(RobertaConfig.fromDict(tiny)).eval();
  assert.equal(mlm.lm_head.decoder.param("weight"), mlm.roberta.embeddings.word_embeddings.param("weight"));
  assert.equal(mlm.lm_head.decoder.param("bias"), mlm.lm_head.bias);
  const saved = [...mlm.stateDictForSave().keys()];
  assert.ok(saved.includes("lm_head.bias") && saved.includes("lm_head.layer_norm.weight") && !saved.includes("lm_head.decoder.weight"));
  const labels = ids.map((row) => row.map((v, i) => (i === 2 ? v : -100)));
  const m = mlm.forward({ input_ids: ids, attention_mask, labels });
  assert.deepEqual(m.logits.shape, [3, 7, 60]);
  m.loss!.backward();
  assert.ok(mlm.roberta.embeddings.word_embeddings.param("weight").grad, "the tied decoder sends gradient to the embeddings");
});

test("trains a few steps on a tiny random model and lowers the loss", () => {
  manualSeed(13);
  const model = new RobertaForSequenceClassification(RobertaConfig.fromDict({ ...tiny, num_labels: 2, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 }));
  const losses = trainSteps(model, { input_ids: ids, attention_mask, labels: [0, 1, 1] }, 15);
  assert.ok(losses.every(Number.isFinite));
  assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss went ${losses[0]} -> ${losses[losses.length - 1]}`);
});
