/**
 * GPT-2 and Llama-family causal LMs as ONNX graphs with a KV cache, in the layout Optimum's
 * "text-generation-with-past" export and Transformers.js use: inputs input_ids,
 * attention_mask (over past + new tokens), position_ids and past_key_values.{i}.key/.value
 * (batch, kv_heads, past_sequence_length, head_dim); outputs logits and present.{i}.key/.value
 * (past + new). One graph serves the first step too: the past is then 0 positions long.
 */
import { ropeInvFreq, type RopeScaling } from "../tensor/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { OnnxDataType } from "./onnx_proto.js";
import { MASK_MIN, OnnxGraph } from "./onnx_graph.js";
import { Weights } from "./onnx_encoders.js";

/** Model classes this exporter knows, by class name (Mistral and Qwen2 are Llama-shaped). */
export const DECODER_CLASSES: Record<string, "gpt2" | "llama"> = {
  GPT2LMHeadModel: "gpt2",
  LlamaForCausalLM: "llama",
  MistralForCausalLM: "llama",
  Qwen2ForCausalLM: "llama",
};

interface DecoderShape {
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hidden: number;
}

interface DecoderInputs {
  ids: string;
  /** The additive mask (B, 1, S, T): causal over past + new positions, and the padding mask. */
  bias: string;
  positions: string;
  past: [string, string][];
}

function num(model: PreTrainedModel, key: string): number {
  const v = model.config[key];
  if (typeof v !== "number") throw new Error(`[export] ${model.constructor.name}: config has no number "${key}"`);
  return v;
}

export function buildDecoderGraph(model: PreTrainedModel): OnnxGraph {
  const family = DECODER_CLASSES[model.constructor.name];
  if (!family) throw new Error(`[export] ${model.constructor.name} is not a supported causal LM; supported: ${Object.keys(DECODER_CLASSES).join(", ")}`);
  const s: DecoderShape = family === "gpt2"
    ? { layers: num(model, "n_layer"), heads: num(model, "n_head"), kvHeads: num(model, "n_head"), headDim: num(model, "n_embd") / num(model, "n_head"), hidden: num(model, "n_embd") }
    : { layers: num(model, "num_hidden_layers"), heads: num(model, "num_attention_heads"), kvHeads: num(model, "num_key_value_heads"), headDim: num(model, "head_dim"), hidden: num(model, "hidden_size") };
  const g = new OnnxGraph();
  const inputs = decoderInputs(g, s);
  const w = new Weights(model);
  const h = family === "gpt2" ? gpt2Body(g, w, model, s, inputs) : llamaBody(g, w, model, s, inputs);
  const lmHead = w.get("lm_head.weight");
  g.output("logits", g.matmul(h, g.linearWeight("lm_head.weight", lmHead)), OnnxDataType.FLOAT, ["batch_size", "sequence_length", lmHead.shape[0]]);
  return g;
}

function decoderInputs(g: OnnxGraph, s: DecoderShape): DecoderInputs {
  const I64 = OnnxDataType.INT64;
  const ids = g.input("input_ids", I64, ["batch_size", "sequence_length"]);
  const mask = g.input("attention_mask", I64, ["batch_size", "past_sequence_length + sequence_length"]);
  const positions = g.input("position_ids", I64, ["batch_size", "sequence_length"]);
  const past: [string, string][] = [];
  for (let i = 0; i < s.layers; i++) {
    const dims = ["batch_size", s.kvHeads, "past_sequence_length", s.headDim];
    past.push([g.input(`past_key_values.${i}.key`, OnnxDataType.FLOAT, dims), g.input(`past_key_values.${i}.value`, OnnxDataType.FLOAT, dims)]);
  }
  // Query i (absolute position past + i) sees keys 0..past + i that the mask keeps.
  const scalar = (x: string) => g.op("Squeeze", [x, g.i64([0])]);
  const newLen = scalar(g.shape(ids, 1, 2));
  const pastLen = scalar(g.shape(past[0][0], 2, 3));
  const total = g.add(pastLen, newLen);
  const one = g.i64([1], []);
  const keyPos = g.unsqueeze(g.op("Range", [g.i64([0], []), total, one]), [0]);
  const queryPos = g.unsqueeze(g.op("Range", [pastLen, total, one]), [1]);
  const causal = g.op("LessOrEqual", [keyPos, queryPos]);
  const padding = g.unsqueeze(g.cast(mask, OnnxDataType.BOOL), [1, 2]);
  const bias = g.op("Where", [g.op("And", [causal, padding]), g.f32(0), g.f32(MASK_MIN)]);
  return { ids, bias, positions, past };
}

function gpt2Body(g: OnnxGraph, w: Weights, model: PreTrainedModel, s: DecoderShape, x: DecoderInputs): string {
  const eps = num(model, "layer_norm_epsilon");
  const act = String(model.config.activation_function);
  const conv1d = (h: string, p: string) => g.add(g.matmul(h, g.weight(`${p}.weight`, w.get(`${p}.weight`))), g.weight(`${p}.bias`, w.get(`${p}.bias`)));
  const norm = (h: string, p: string) => g.layerNorm(h, p, w.get(`${p}.weight`), w.get(`${p}.bias`), eps);
  const heads = (t: string) => g.transpose(g.reshape(t, [0, 0, s.heads, s.headDim]), [0, 2, 1, 3]);
  let h = g.add(g.gather(g.weight("transformer.wte.weight", w.get("transformer.wte.weight")), x.ids), g.gather(g.weight("transformer.wpe.weight", w.get("transformer.wpe.weight")), x.positions));
  for (let i = 0; i < s.layers; i++) {
    const p = `transformer.h.${i}`;
    const qkv = conv1d(norm(h, `${p}.ln_1`), `${p}.attn.c_attn`);
    const C = s.hidden;
    const q = heads(g.slice(qkv, 0, C, -1));
    const k = g.concat([x.past[i][0], heads(g.slice(qkv, C, 2 * C, -1))], 2);
    const v = g.concat([x.past[i][1], heads(g.slice(qkv, 2 * C, 3 * C, -1))], 2);
    presentOutputs(g, i, k, v, s);
    let scale = model.config.scale_attn_weights === false ? 1 : 1 / Math.sqrt(s.headDim);
    if (model.config.scale_attn_by_inverse_layer_idx === true) scale /= i + 1;
    const ctx = g.reshape(g.transpose(g.attention(q, k, v, scale, x.bias), [0, 2, 1, 3]), [0, 0, C]);
    h = g.add(h, conv1d(ctx, `${p}.attn.c_proj`));
    const inner = g.activation(conv1d(norm(h, `${p}.ln_2`), `${p}.mlp.c_fc`), act);
    h = g.add(h, conv1d(inner, `${p}.mlp.c_proj`));
  }
  return norm(h, "transformer.ln_f");
}

function presentOutputs(g: OnnxGraph, i: number, k: string, v: string, s: DecoderShape): void {
  const dims = ["batch_size", s.kvHeads, "past_sequence_length + sequence_length", s.headDim];
  g.output(`present.${i}.key`, k, OnnxDataType.FLOAT, dims);
  g.output(`present.${i}.value`, v, OnnxDataType.FLOAT, dims);
}

function llamaBody(g: OnnxGraph, w: Weights, model: PreTrainedModel, s: DecoderShape, x: DecoderInputs): string {
  const eps = num(model, "rms_norm_eps");
  const act = String(model.config.hidden_act);
  const lin = (h: string, p: string) => g.linear(h, p, w.get(`${p}.weight`), w.maybe(`${p}.bias`));
  const norm = (h: string, p: string) => g.rmsNorm(h, p, w.get(`${p}.weight`), eps);
  // Rotary tables from the positions: angle = position · inv_freq, duplicated over both halves (rotate_half layout).
  const invFreq = ropeInvFreq(s.headDim, num(model, "rope_theta"), (model.config.rope_scaling ?? null) as RopeScaling | null);
  const angles = g.mul(g.unsqueeze(g.cast(x.positions, OnnxDataType.FLOAT), [2]), g.weight("rotary_emb.inv_freq", invFreq));
  const emb = g.unsqueeze(g.concat([angles, angles], -1), [1]);
  const cos = g.op("Cos", [emb]);
  const sin = g.op("Sin", [emb]);
  const half = s.headDim / 2;
  const rope = (t: string) => {
    const rotated = g.concat([g.op("Neg", [g.slice(t, half, s.headDim, -1)]), g.slice(t, 0, half, -1)], -1);
    return g.add(g.mul(t, cos), g.mul(rotated, sin));
  };
  const heads = (t: string, n: number) => g.transpose(g.reshape(t, [0, 0, n, s.headDim]), [0, 2, 1, 3]);
  const group = s.heads / s.kvHeads;
  // Grouped-query attention without repeating keys: queries (B, Hkv, group, S, D) against keys (B, Hkv, 1, T, D).
  const bias5 = g.unsqueeze(x.bias, [1]);
  let h = g.gather(g.weight("model.embed_tokens.weight", w.get("model.embed_tokens.weight")), x.ids);
  for (let i = 0; i < s.layers; i++) {
    const p = `model.layers.${i}`;
    const a = norm(h, `${p}.input_layernorm`);
    const q = rope(heads(lin(a, `${p}.self_attn.q_proj`), s.heads));
    const k = g.concat([x.past[i][0], rope(heads(lin(a, `${p}.self_attn.k_proj`), s.kvHeads))], 2);
    const v = g.concat([x.past[i][1], heads(lin(a, `${p}.self_attn.v_proj`), s.kvHeads)], 2);
    presentOutputs(g, i, k, v, s);
    let ctx: string;
    if (group === 1) {
      ctx = g.attention(q, k, v, 1 / Math.sqrt(s.headDim), x.bias);
    } else {
      const q5 = g.reshape(q, [0, s.kvHeads, group, -1, s.headDim]);
      ctx = g.reshape(g.attention(q5, g.unsqueeze(k, [2]), g.unsqueeze(v, [2]), 1 / Math.sqrt(s.headDim), bias5, 5), [0, s.heads, -1, s.headDim]);
    }
    h = g.add(h, lin(g.reshape(g.transpose(ctx, [0, 2, 1, 3]), [0, 0, s.heads * s.headDim]), `${p}.self_attn.o_proj`));
    const m = norm(h, `${p}.post_attention_layernorm`);
    const inner = g.mul(g.activation(lin(m, `${p}.mlp.gate_proj`), act), lin(m, `${p}.mlp.up_proj`));
    h = g.add(h, lin(inner, `${p}.mlp.down_proj`));
  }
  return norm(h, "model.norm");
}
