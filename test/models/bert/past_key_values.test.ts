// past_key_values in the BERT-family encoders (BERT, RoBERTa, DistilBERT), as prefix tuning
// uses them: per layer [key, value] in front of the layer's own keys and values, the mask
// widened by P ones, positions starting at P. The reference is the same encoder run over the
// full sequence [X; Y]: if each layer's past is X's keys/values from that full run, Y's hidden
// states must come out identical. Then: attention against a hand-written loop, gradients of
// the prefix against finite differences (with and without gradient checkpointing), errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Tensor, manualSeed, tensor } from "../../../src/tensor/index.js";
import {
  BertConfig, BertModel, BertSelfAttention, DistilBertConfig, DistilBertModel, RobertaConfig, RobertaModel,
} from "../../../src/models/index.js";
import { assertClose } from "../../helpers/close.js";
import { gradcheck, leaf } from "../../helpers/gradcheck.js";

const P = 3;
// Y: two rows, the first right-padded (pad id 1 serves BERT's 0 and RoBERTa's 1 alike below).
const Y = [[5, 9, 11, 3, 1, 1], [7, 8, 2, 6, 4, 10]];
const Y_MASK = [[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]];
const X = [[12, 13, 14], [15, 16, 17]];

interface Layer {
  forward(h: Tensor, mask: Tensor | null): Tensor;
}

/** (B, T, C) → (B, H, T, D). */
function heads(x: Tensor, H: number): Tensor {
  const [B, T, C] = x.shape;
  return x.reshape(B, T, H, C / H).permute(0, 2, 1, 3);
}

/** Runs layers over h0 (the full sequence), collecting each layer's first-P keys/values. */
function fullRun(h0: Tensor, layers: Layer[], kv: (layer: number, h: Tensor) => [Tensor, Tensor], mask: Tensor): { out: Tensor; past: [Tensor, Tensor][] } {
  let h = h0;
  const past: [Tensor, Tensor][] = [];
  layers.forEach((layer, i) => {
    const [k, v] = kv(i, h);
    past.push([k.narrow(2, 0, P).contiguous(), v.narrow(2, 0, P).contiguous()]);
    h = layer.forward(h, mask);
  });
  return { out: h, past };
}

const fullIds = (pad: number) => tensor(X.map((x, b) => [...x, ...Y[b].map((t, j) => (Y_MASK[b][j] ? t : pad))]), { dtype: "int32" });
const fullMask = () => tensor(Y_MASK.map((m) => [1, 1, 1, ...m]));
const yIds = (pad: number) => Y.map((row, b) => row.map((t, j) => (Y_MASK[b][j] ? t : pad)));
const tail = (t: Tensor) => t.narrow(1, P, t.shape[1] - P).contiguous().toFloat32Array();

const bertTiny = { vocab_size: 24, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 32, max_position_embeddings: 16 };

test("BERT with past_key_values equals the encoder over [X; Y], token types and padding included", () => {
  manualSeed(3);
  const model = new BertModel(BertConfig.fromDict(bertTiny)).eval();
  const types = [[0, 0, 0, 0, 0, 0], [0, 0, 0, 1, 1, 1]];
  const h0 = model.embeddings.forward({
    inputIds: fullIds(0), tokenTypeIds: tensor(types.map((t) => [0, 0, 0, ...t]), { dtype: "int32" }), positionIds: null, inputsEmbeds: null,
  });
  const layers = model.encoder.layer.items;
  const { out, past } = fullRun(h0, layers, (i, h) => {
    const sa = layers[i].attention.selfAttention;
    return [heads(sa.key.forward(h), 4), heads(sa.value.forward(h), 4)];
  }, fullMask());
  const got = model.forward({ input_ids: yIds(0), token_type_ids: types, attention_mask: Y_MASK, past_key_values: past }).last_hidden_state;
  assertClose(got.toFloat32Array(), tail(out), 1e-5, 1e-5, "last_hidden_state over Y");
  // A mask that already covers the past positions gives the same; so does no mask for unpadded rows.
  const wide = model.forward({ input_ids: yIds(0), token_type_ids: types, attention_mask: Y_MASK.map((m) => [1, 1, 1, ...m]), past_key_values: past }).last_hidden_state;
  assert.deepEqual(wide.toFloat32Array(), got.toFloat32Array());
});

test("RoBERTa with past_key_values: positions count on from padding_idx + 1 + P, as create_position_ids_from_input_ids", () => {
  manualSeed(4);
  const model = new RobertaModel(RobertaConfig.fromDict({ ...bertTiny, max_position_embeddings: 16, pad_token_id: 1 })).eval();
  const h0 = model.embeddings.forward({ inputIds: fullIds(1), tokenTypeIds: null, positionIds: null, inputsEmbeds: null });
  const layers = model.encoder.layer.items;
  const { out, past } = fullRun(h0, layers, (i, h) => {
    const sa = layers[i].attention.selfAttention;
    return [heads(sa.key.forward(h), 4), heads(sa.value.forward(h), 4)];
  }, fullMask());
  const got = model.forward({ input_ids: yIds(1), attention_mask: Y_MASK, past_key_values: past }).last_hidden_state;
  assertClose(got.toFloat32Array(), tail(out), 1e-5, 1e-5, "last_hidden_state over Y");
});

test("DistilBERT with past_key_values equals the transformer over [X; Y]", () => {
  manualSeed(5);
  const model = new DistilBertModel(DistilBertConfig.fromDict({ vocab_size: 24, dim: 16, n_layers: 2, n_heads: 4, hidden_dim: 32, max_position_embeddings: 16 })).eval();
  const h0 = model.embeddings.forward(fullIds(0), null, null);
  const layers = model.transformer.layer.items;
  const { out, past } = fullRun(h0, layers, (i, h) => {
    const a = layers[i].attention;
    return [heads(a.k_lin.forward(h), 4), heads(a.v_lin.forward(h), 4)];
  }, fullMask());
  const got = model.forward({ input_ids: yIds(0), attention_mask: Y_MASK, past_key_values: past }).last_hidden_state;
  assertClose(got.toFloat32Array(), tail(out), 1e-5, 1e-5, "last_hidden_state over Y");
});

test("BertSelfAttention with past keys/values equals softmax(q [Kp; K]ᵀ/√D + mask) [Vp; V] written out", () => {
  manualSeed(6);
  const config = BertConfig.fromDict(bertTiny);
  const attn = new BertSelfAttention(config).eval();
  const [B, T, C, H, D] = [2, 4, 16, 4, 4];
  const hidden = leaf([B, T, C], 11, 1);
  const pk = leaf([1, H, P, D], 12, 1); // one prefix for every row, as prefix tuning gives it
  const pv = leaf([1, H, P, D], 13, 1);
  const mask = tensor([[1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1, 1]]);
  const got = attn.forward(hidden, mask, [pk, pv]).toFloat32Array();

  const lin = (x: Float32Array, w: Float32Array, b: Float32Array, rows: number) => {
    const y = new Float32Array(rows * C);
    for (let r = 0; r < rows; r++) for (let o = 0; o < C; o++) {
      let s = b[o];
      for (let i = 0; i < C; i++) s += x[r * C + i] * w[o * C + i];
      y[r * C + o] = s;
    }
    return y;
  };
  const h = hidden.toFloat32Array();
  const q = lin(h, attn.query.param("weight").toFloat32Array(), attn.query.param("bias")!.toFloat32Array(), B * T);
  const k = lin(h, attn.key.param("weight").toFloat32Array(), attn.key.param("bias")!.toFloat32Array(), B * T);
  const v = lin(h, attn.value.param("weight").toFloat32Array(), attn.value.param("bias")!.toFloat32Array(), B * T);
  const [PK, PV, M] = [pk.toFloat32Array(), pv.toFloat32Array(), mask.toFloat32Array()];
  const want = new Float32Array(B * T * C);
  for (let b = 0; b < B; b++) for (let hh = 0; hh < H; hh++) for (let t = 0; t < T; t++) {
    const keyAt = (j: number, d: number) => (j < P ? PK[(hh * P + j) * D + d] : k[(b * T + j - P) * C + hh * D + d]);
    const valAt = (j: number, d: number) => (j < P ? PV[(hh * P + j) * D + d] : v[(b * T + j - P) * C + hh * D + d]);
    const scores: number[] = [];
    for (let j = 0; j < P + T; j++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += q[(b * T + t) * C + hh * D + d] * keyAt(j, d);
      scores.push(M[b * (P + T) + j] ? s / Math.sqrt(D) : -Infinity);
    }
    const m = Math.max(...scores);
    const e = scores.map((s) => Math.exp(s - m));
    const z = e.reduce((a, c) => a + c, 0);
    for (let d = 0; d < D; d++) {
      let acc = 0;
      for (let j = 0; j < P + T; j++) acc += (e[j] / z) * valAt(j, d);
      want[(b * T + t) * C + hh * D + d] = acc;
    }
  }
  assertClose(got, want, 1e-5, 1e-5, "attention output");
});

/** (P, layers·2·C) → per layer [key, value] (1, H, P, D), prefix tuning's layout. */
function prefixView(flat: Tensor, layers: number, C: number, H: number): [Tensor, Tensor][] {
  const view = (start: number) => flat.narrow(1, start, C).reshape(P, H, C / H).permute(1, 0, 2).unsqueeze(0);
  return Array.from({ length: layers }, (_, l) => [view(2 * l * C), view((2 * l + 1) * C)] as [Tensor, Tensor]);
}

const gradTiny = { vocab_size: 24, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 };

for (const checkpointing of [false, true]) {
  test(`gradcheck: BERT output w.r.t. the prefix keys/values${checkpointing ? " under gradient checkpointing" : ""}`, () => {
    manualSeed(7);
    const model = new BertModel(BertConfig.fromDict(gradTiny));
    if (checkpointing) model.gradientCheckpointingEnable();
    model.train(); // dropout is 0: train mode only turns checkpointing on
    model.requiresGrad(false);
    const flat = leaf([P, 2 * 2 * 8], 21, 0.5);
    const ids = [[5, 9, 11, 3], [7, 8, 2, 0]];
    const mask = [[1, 1, 1, 1], [1, 1, 1, 0]];
    gradcheck((f) => model.forward({ input_ids: ids, attention_mask: mask, past_key_values: prefixView(f, 2, 8, 2) }).last_hidden_state, [flat]);
  });
}

test("gradcheck: DistilBERT output w.r.t. the prefix keys/values", () => {
  manualSeed(8);
  const model = new DistilBertModel(DistilBertConfig.fromDict({ vocab_size: 24, dim: 8, n_layers: 2, n_heads: 2, hidden_dim: 16, max_position_embeddings: 16 })).eval();
  model.requiresGrad(false);
  const flat = leaf([P, 2 * 2 * 8], 22, 0.5);
  gradcheck((f) => model.forward({ input_ids: [[5, 9, 11, 3]], past_key_values: prefixView(f, 2, 8, 2) }).last_hidden_state, [flat]);
});

test("past_key_values errors name the layer count, the position budget and the mask shape", () => {
  manualSeed(9);
  const model = new BertModel(BertConfig.fromDict(bertTiny)).eval();
  const kv = (n: number) => Array.from({ length: n }, () => [leaf([1, 4, P, 4]), leaf([1, 4, P, 4])] as [Tensor, Tensor]);
  assert.throws(() => model.forward({ input_ids: Y, past_key_values: kv(1) }), /past_key_values has 1 layers but the model has 2/);
  const long = Array.from({ length: 1 }, () => Array.from({ length: 14 }, (_, i) => 2 + i));
  assert.throws(() => model.forward({ input_ids: long, past_key_values: kv(2) }), /3 past \+ 14 input positions exceed max_position_embeddings = 16/);
  assert.throws(() => model.forward({ input_ids: Y, attention_mask: [[1, 1], [1, 1]], past_key_values: kv(2) }), /attention_mask is \[2, 2\]/);
  // Without past_key_values nothing changes: a mask of ones equals no mask.
  const a = model.forward({ input_ids: Y }).last_hidden_state.toFloat32Array();
  const b = model.forward({ input_ids: Y, attention_mask: Y.map((r) => r.map(() => 1)) }).last_hidden_state.toFloat32Array();
  assert.deepEqual(a, b);
});
