/**
 * BERT, RoBERTa and DistilBERT with their task heads as ONNX graphs, in the layout Optimum
 * exports and Transformers.js runs: int64 inputs input_ids, attention_mask (and
 * token_type_ids for BERT), outputs named as transformers names them (logits,
 * start_logits/end_logits, last_hidden_state), batch and sequence dimensions dynamic.
 */
import type { Tensor } from "../tensor/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { OnnxDataType } from "./onnx_proto.js";
import { MASK_MIN, OnnxGraph } from "./onnx_graph.js";

type Family = "bert" | "roberta" | "distilbert";
type Head = "base" | "sequence-classification" | "token-classification" | "masked-lm" | "question-answering";

/** Model classes this exporter knows, by class name. */
export const ENCODER_CLASSES: Record<string, { family: Family; head: Head }> = {};
for (const [family, prefix] of [["bert", "Bert"], ["roberta", "Roberta"], ["distilbert", "DistilBert"]] as const) {
  ENCODER_CLASSES[`${prefix}Model`] = { family, head: "base" };
  ENCODER_CLASSES[`${prefix}ForSequenceClassification`] = { family, head: "sequence-classification" };
  ENCODER_CLASSES[`${prefix}ForTokenClassification`] = { family, head: "token-classification" };
  ENCODER_CLASSES[`${prefix}ForMaskedLM`] = { family, head: "masked-lm" };
  ENCODER_CLASSES[`${prefix}ForQuestionAnswering`] = { family, head: "question-answering" };
}

/** Reads a model's tensors by Hugging Face key, with an error naming the key when one is missing. */
export class Weights {
  private readonly sd: Map<string, Tensor>;
  constructor(readonly model: PreTrainedModel) {
    this.sd = model.stateDict();
  }
  has(key: string): boolean {
    return this.sd.has(key);
  }
  get(key: string): Tensor {
    const t = this.sd.get(key);
    if (!t) throw new Error(`[export] ${this.model.constructor.name} has no tensor "${key}"; is this a ${this.model.constructor.name} checkpoint?`);
    return t;
  }
  maybe(key: string): Tensor | null {
    return this.sd.get(key) ?? null;
  }
}

interface EncoderShape {
  layers: number;
  heads: number;
  hidden: number;
  act: string;
  eps: number;
}

function cfgNumber(model: PreTrainedModel, key: string): number {
  const v = model.config[key];
  if (typeof v !== "number") throw new Error(`[export] ${model.constructor.name}: config has no number "${key}"`);
  return v;
}

/** Builds the graph of an encoder model (any class in ENCODER_CLASSES). */
export function buildEncoderGraph(model: PreTrainedModel): OnnxGraph {
  const kind = ENCODER_CLASSES[model.constructor.name];
  if (!kind) throw new Error(`[export] ${model.constructor.name} is not an encoder class; supported: ${Object.keys(ENCODER_CLASSES).join(", ")}`);
  const w = new Weights(model);
  const g = new OnnxGraph();
  const dyn = ["batch_size", "sequence_length"];
  const ids = g.input("input_ids", OnnxDataType.INT64, dyn);
  const mask = g.input("attention_mask", OnnxDataType.INT64, dyn);
  const distil = kind.family === "distilbert";
  const pfx = kind.head === "base" ? "" : `${kind.family}.`;
  const shape: EncoderShape = distil
    ? { layers: cfgNumber(model, "n_layers"), heads: cfgNumber(model, "n_heads"), hidden: cfgNumber(model, "dim"), act: String(model.config.activation), eps: 1e-12 }
    : { layers: cfgNumber(model, "num_hidden_layers"), heads: cfgNumber(model, "num_attention_heads"), hidden: cfgNumber(model, "hidden_size"), act: String(model.config.hidden_act), eps: cfgNumber(model, "layer_norm_eps") };
  if (!distil && model.config.position_embedding_type !== undefined && model.config.position_embedding_type !== "absolute") {
    throw new Error(`[export] position_embedding_type "${String(model.config.position_embedding_type)}" is not supported; only "absolute" is`);
  }

  // Embeddings: words + positions (+ token types), then LayerNorm.
  const e = `${pfx}embeddings`;
  const seqLen = g.op("Squeeze", [g.shape(ids, 1, 2), g.i64([0])]);
  let positions: string;
  if (kind.family === "roberta") {
    // create_position_ids_from_input_ids: padding_idx + running count of real tokens, padding_idx on padding.
    const pad = typeof model.config.pad_token_id === "number" ? model.config.pad_token_id : 1;
    const real = g.cast(g.op("Not", [g.op("Equal", [ids, g.i64([pad], [])])]), OnnxDataType.INT64);
    positions = g.add(g.mul(g.op("CumSum", [real, g.i64([1], [])]), real), g.i64([pad], []));
  } else {
    positions = g.unsqueeze(g.op("Range", [g.i64([0], []), seqLen, g.i64([1], [])]), [0]);
  }
  let h = g.add(g.gather(g.weight(`${e}.word_embeddings.weight`, w.get(`${e}.word_embeddings.weight`)), ids), g.gather(g.weight(`${e}.position_embeddings.weight`, w.get(`${e}.position_embeddings.weight`)), positions));
  if (!distil) {
    // RoBERTa takes no token_type_ids (Optimum's layout): every token has type 0.
    const types = kind.family === "bert" ? g.input("token_type_ids", OnnxDataType.INT64, dyn) : g.i64([0], []);
    h = g.add(h, g.gather(g.weight(`${e}.token_type_embeddings.weight`, w.get(`${e}.token_type_embeddings.weight`)), types));
  }
  h = g.layerNorm(h, `${e}.LayerNorm`, w.get(`${e}.LayerNorm.weight`), w.get(`${e}.LayerNorm.bias`), shape.eps);

  // (B, T) 0/1 → additive bias (B, 1, 1, T).
  const keep = g.unsqueeze(g.cast(mask, OnnxDataType.FLOAT), [1, 2]);
  const bias = g.mul(g.sub(g.f32(1), keep), g.f32(MASK_MIN));
  for (let i = 0; i < shape.layers; i++) h = distil ? distilLayer(g, w, `${pfx}transformer.layer.${i}`, h, bias, shape) : bertLayer(g, w, `${pfx}encoder.layer.${i}`, h, bias, shape);

  addHead(g, w, kind.family, kind.head, h, shape);
  return g;
}

function splitHeads(g: OnnxGraph, x: string, s: EncoderShape): string {
  return g.transpose(g.reshape(x, [0, 0, s.heads, s.hidden / s.heads]), [0, 2, 1, 3]);
}

function selfAttention(g: OnnxGraph, w: Weights, names: [string, string, string, string], h: string, bias: string, s: EncoderShape): string {
  const lin = (p: string) => g.linear(h, p, w.get(`${p}.weight`), w.get(`${p}.bias`));
  const ctx = g.attention(splitHeads(g, lin(names[0]), s), splitHeads(g, lin(names[1]), s), splitHeads(g, lin(names[2]), s), 1 / Math.sqrt(s.hidden / s.heads), bias);
  const merged = g.reshape(g.transpose(ctx, [0, 2, 1, 3]), [0, 0, s.hidden]);
  return g.linear(merged, names[3], w.get(`${names[3]}.weight`), w.get(`${names[3]}.bias`));
}

function linearOf(g: OnnxGraph, w: Weights, x: string, p: string): string {
  return g.linear(x, p, w.get(`${p}.weight`), w.maybe(`${p}.bias`));
}

function normOf(g: OnnxGraph, w: Weights, x: string, p: string, eps: number): string {
  return g.layerNorm(x, p, w.get(`${p}.weight`), w.get(`${p}.bias`), eps);
}

function bertLayer(g: OnnxGraph, w: Weights, p: string, h: string, bias: string, s: EncoderShape): string {
  const a = `${p}.attention`;
  const attn = selfAttention(g, w, [`${a}.self.query`, `${a}.self.key`, `${a}.self.value`, `${a}.output.dense`], h, bias, s);
  const h1 = normOf(g, w, g.add(attn, h), `${a}.output.LayerNorm`, s.eps);
  const inner = g.activation(linearOf(g, w, h1, `${p}.intermediate.dense`), s.act);
  return normOf(g, w, g.add(linearOf(g, w, inner, `${p}.output.dense`), h1), `${p}.output.LayerNorm`, s.eps);
}

function distilLayer(g: OnnxGraph, w: Weights, p: string, h: string, bias: string, s: EncoderShape): string {
  const a = `${p}.attention`;
  const attn = selfAttention(g, w, [`${a}.q_lin`, `${a}.k_lin`, `${a}.v_lin`, `${a}.out_lin`], h, bias, s);
  const h1 = normOf(g, w, g.add(attn, h), `${p}.sa_layer_norm`, s.eps);
  const inner = g.activation(linearOf(g, w, h1, `${p}.ffn.lin1`), s.act);
  return normOf(g, w, g.add(linearOf(g, w, inner, `${p}.ffn.lin2`), h1), `${p}.output_layer_norm`, s.eps);
}

/** hidden[:, 0]: the first token's state (B, C). */
function firstToken(g: OnnxGraph, h: string): string {
  return g.gather(h, g.i64([0], []), 1);
}

function addHead(g: OnnxGraph, w: Weights, family: Family, head: Head, h: string, s: EncoderShape): void {
  const F = OnnxDataType.FLOAT;
  const dyn = ["batch_size", "sequence_length"];
  switch (head) {
    case "base":
      g.output("last_hidden_state", h, F, [...dyn, s.hidden]);
      if (w.has("pooler.dense.weight")) g.output("pooler_output", g.op("Tanh", [linearOf(g, w, firstToken(g, h), "pooler.dense")]), F, ["batch_size", s.hidden]);
      return;
    case "sequence-classification": {
      let logits: string;
      if (family === "bert") logits = linearOf(g, w, g.op("Tanh", [linearOf(g, w, firstToken(g, h), "bert.pooler.dense")]), "classifier");
      else if (family === "roberta") logits = linearOf(g, w, g.op("Tanh", [linearOf(g, w, firstToken(g, h), "classifier.dense")]), "classifier.out_proj");
      else logits = linearOf(g, w, g.op("Relu", [linearOf(g, w, firstToken(g, h), "pre_classifier")]), "classifier");
      g.output("logits", logits, F, ["batch_size", w.get(family === "roberta" ? "classifier.out_proj.weight" : "classifier.weight").shape[0]]);
      return;
    }
    case "token-classification":
      g.output("logits", linearOf(g, w, h, "classifier"), F, [...dyn, w.get("classifier.weight").shape[0]]);
      return;
    case "question-answering": {
      const logits = linearOf(g, w, h, "qa_outputs");
      g.output("start_logits", g.op("Squeeze", [g.slice(logits, 0, 1, -1), g.i64([-1])]), F, dyn);
      g.output("end_logits", g.op("Squeeze", [g.slice(logits, 1, 2, -1), g.i64([-1])]), F, dyn);
      return;
    }
    case "masked-lm": {
      let x: string;
      let decoder: string;
      if (family === "bert") {
        x = normOf(g, w, g.activation(linearOf(g, w, h, "cls.predictions.transform.dense"), s.act), "cls.predictions.transform.LayerNorm", s.eps);
        decoder = "cls.predictions.decoder";
      } else if (family === "roberta") {
        x = normOf(g, w, g.activation(linearOf(g, w, h, "lm_head.dense"), "gelu"), "lm_head.layer_norm", s.eps);
        decoder = "lm_head.decoder";
      } else {
        x = normOf(g, w, g.activation(linearOf(g, w, h, "vocab_transform"), s.act), "vocab_layer_norm", 1e-12);
        decoder = "vocab_projector";
      }
      g.output("logits", linearOf(g, w, x, decoder), F, [...dyn, w.get(`${decoder}.weight`).shape[0]]);
      return;
    }
  }
}
