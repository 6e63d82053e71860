// The encoders' classification heads read position 0 only, so they run the last layer for
// position 0 alone (EncoderForwardOptions.firstPositionOnly). Proven here against the full
// pass followed by the same head: logits, losses and every parameter's gradient, with
// padded rows, prefix keys/values and gradient checkpointing, for BERT, RoBERTa and DistilBERT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed, noGrad, randn, relu, select } from "../../src/tensor/index.js";
import {
  BertConfig, BertForSequenceClassification, DistilBertConfig, DistilBertForSequenceClassification,
  RobertaConfig, RobertaForSequenceClassification,
} from "../../src/models/index.js";
import type { ModelInputs, PreTrainedModel } from "../../src/models/modeling_utils.js";
import { sequenceClassificationLoss } from "../../src/models/loss_utils.js";
import { assertClose } from "../helpers/close.js";

const bertLike = { vocab_size: 40, hidden_size: 16, num_hidden_layers: 3, num_attention_heads: 4, intermediate_size: 24, max_position_embeddings: 24, num_labels: 3, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };
// Rows right-padded, left-padded and full; pad id 1 (RoBERTa's) is also a valid BERT token.
const ids = [[2, 5, 9, 11, 3, 1, 1], [1, 1, 2, 7, 8, 3, 6], [2, 4, 4, 4, 4, 4, 3]];
const attention_mask = [[1, 1, 1, 1, 1, 0, 0], [0, 0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1]];
const labels = [0, 2, 1];

interface Case {
  name: string;
  make(): PreTrainedModel;
  /** The head applied to the base model's full pass (all positions through every layer). */
  fullLogits(model: PreTrainedModel, inputs: ModelInputs): Tensor;
  /** The base model's last_hidden_state with and without firstPositionOnly. */
  hidden(model: PreTrainedModel, inputs: ModelInputs, first: boolean): Tensor;
}

const CASES: Case[] = [
  {
    name: "bert",
    make: () => new BertForSequenceClassification(BertConfig.fromDict(bertLike)),
    fullLogits: (m, x) => {
      const b = m as BertForSequenceClassification;
      return b.classifier.forward(b.dropout.forward(b.bert.forward(x).pooler_output!));
    },
    hidden: (m, x, first) => (m as BertForSequenceClassification).bert.forward(x, { firstPositionOnly: first }).last_hidden_state,
  },
  {
    name: "roberta",
    make: () => new RobertaForSequenceClassification(RobertaConfig.fromDict({ ...bertLike, type_vocab_size: 1 })),
    fullLogits: (m, x) => {
      const r = m as RobertaForSequenceClassification;
      return r.classifier.forward(r.roberta.forward(x).last_hidden_state);
    },
    hidden: (m, x, first) => (m as RobertaForSequenceClassification).roberta.forward(x, { firstPositionOnly: first }).last_hidden_state,
  },
  {
    name: "distilbert",
    make: () => new DistilBertForSequenceClassification(DistilBertConfig.fromDict({ vocab_size: 40, dim: 16, n_layers: 3, n_heads: 4, hidden_dim: 24, max_position_embeddings: 24, num_labels: 3, dropout: 0, attention_dropout: 0, seq_classif_dropout: 0 })),
    fullLogits: (m, x) => {
      const d = m as DistilBertForSequenceClassification;
      const pooled = relu(d.pre_classifier.forward(select(d.distilbert.forward(x).last_hidden_state, 1, 0)));
      return d.classifier.forward(d.dropout.forward(pooled));
    },
    hidden: (m, x, first) => (m as DistilBertForSequenceClassification).distilbert.forward(x, { firstPositionOnly: first }).last_hidden_state,
  },
];

/** Logits, loss and every gradient of one backward from `logits` (zeroed before). */
function run(model: PreTrainedModel, logits: () => Tensor): { logits: Float32Array; loss: number; grads: Map<string, Float32Array> } {
  for (const p of model.parameters()) p.grad = null;
  const out = logits();
  const loss = sequenceClassificationLoss(model.config, out, labels);
  loss.backward();
  const grads = new Map([...model.namedParameters()].map(([k, p]) => [k, p.grad ? p.grad.toFloat32Array() : new Float32Array(0)]));
  return { logits: out.toFloat32Array(), loss: loss.item(), grads };
}

function assertSamePass(model: PreTrainedModel, c: Case, inputs: ModelInputs, what: string): void {
  const pruned = run(model, () => model.forward(inputs).logits);
  const full = run(model, () => c.fullLogits(model, inputs));
  assertClose(pruned.logits, full.logits, 1e-5, 1e-5, `${what}: logits`);
  assert.ok(Math.abs(pruned.loss - full.loss) <= 1e-5 * Math.abs(full.loss), `${what}: loss ${pruned.loss} vs ${full.loss}`);
  for (const [k, g] of full.grads) {
    assert.ok(g.length > 0 === (pruned.grads.get(k)!.length > 0), `${what}: ${k} has a gradient on one side only`);
    assertClose(pruned.grads.get(k)!, g, 1e-6, 1e-4, `${what}: grad ${k}`);
  }
}

for (const c of CASES) {
  test(`${c.name}: the base model's first-position pass equals position 0 of the full pass`, () => {
    manualSeed(3);
    const model = c.make().eval();
    noGrad(() => {
      const x = { input_ids: ids, attention_mask };
      const full = c.hidden(model, x, false);
      const first = c.hidden(model, x, true);
      const [B, T, C] = full.shape;
      assert.deepEqual(first.shape, [B, 1, C]);
      const f = full.toFloat32Array();
      const want = Float32Array.from({ length: B * C }, (_, i) => f[Math.floor(i / C) * T * C + (i % C)]);
      assertClose(first.toFloat32Array(), want, 1e-6, 1e-5, "position 0");
    });
  });

  test(`${c.name}: classification through the pruned last layer matches the full pass, gradients included`, () => {
    manualSeed(4);
    const model = c.make().train();
    assertSamePass(model, c, { input_ids: ids, attention_mask }, "padded rows");
    assertSamePass(model, c, { input_ids: ids }, "no mask");
    assert.equal(model.forward({ input_ids: ids }).last_hidden_state, undefined, "no per-token states from a classification head");
  });

  test(`${c.name}: the pruned pass under gradient checkpointing and with prefix keys/values`, () => {
    manualSeed(5);
    const model = c.make().train();
    model.gradientCheckpointingEnable();
    assertSamePass(model, c, { input_ids: ids, attention_mask }, "checkpointing");
    model.gradientCheckpointingDisable();
    const L = 3, H = 4, P = 2, D = 4;
    const past = Array.from({ length: L }, () => [randn([1, H, P, D]), randn([1, H, P, D])] as [Tensor, Tensor]);
    assertSamePass(model, c, { input_ids: ids, attention_mask, past_key_values: past }, "prefix keys/values");
  });
}
