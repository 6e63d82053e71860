/**
 * `exportGguf(model, file, { outtype, tokenizer })`: a Llama-family causal LM as one GGUF file
 * that llama.cpp (and node-llama-cpp) load: llama.* hyperparameters, tensors under llama.cpp's
 * names (token_embd, blk.N.attn_q, ...), the q/k projection rows permuted into the
 * interleaved rotary layout llama.cpp's "llama" architecture expects (as convert_hf_to_gguf.py
 * does), and a SentencePiece-style vocabulary (tokenizer.ggml.*).
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import type { Tensor } from "../tensor/index.js";
import { writeFileAtomic } from "../io/json.js";
import { GgufWriter } from "./gguf_writer.js";
import { QK, encodeTensor, type GgmlTypeName } from "./gguf_quant.js";
import { llamaVocabMetadata } from "./gguf_vocab.js";
import { requirePlainModel } from "./files.js";

export const GGUF_OUTTYPES = ["f32", "f16", "q8_0", "q4_0"] as const;
export type GgufOuttype = (typeof GGUF_OUTTYPES)[number];

/** llama_ftype codes (general.file_type). */
const FILE_TYPE: Record<GgufOuttype, number> = { f32: 0, f16: 1, q4_0: 2, q8_0: 7 };

export const GGUF_CLASSES = ["LlamaForCausalLM", "MistralForCausalLM"];

export interface GgufExportOptions {
  outtype?: GgufOuttype;
  /** The vocabulary written as tokenizer.ggml.* (required: llama.cpp tokenizes while loading). */
  tokenizer: PreTrainedTokenizer;
  /** general.name (default: the model's class name). */
  name?: string;
}

export interface GgufExportResult {
  file: string;
  /** Each tensor's name and the type it was written in (block types fall back to F16 where rows are not a multiple of 32). */
  tensors: { name: string; type: GgmlTypeName }[];
}

function num(model: PreTrainedModel, key: string): number {
  const v = model.config[key];
  if (typeof v !== "number") throw new Error(`[gguf] ${model.constructor.name}: config has no number "${key}"`);
  return v;
}

/**
 * Rows of a q/k projection (heads · head_dim, in) from transformers' rotate_half layout (each
 * head's first half, then second half) to the interleaved pairs llama.cpp rotates.
 */
export function permuteRotary(w: Float32Array, rows: number, cols: number, heads: number): Float32Array {
  const dim = rows / heads;
  const half = dim / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < half; i++) {
        const from = (h * dim + j * half + i) * cols;
        out.set(w.subarray(from, from + cols), (h * dim + i * 2 + j) * cols);
      }
    }
  }
  return out;
}

function checkSupported(model: PreTrainedModel): void {
  const name = model.constructor.name;
  if (!GGUF_CLASSES.includes(name)) {
    throw new Error(`[gguf] GGUF export of ${name} is not supported; supported classes: ${GGUF_CLASSES.join(", ")} (GGUF is llama.cpp's format for causal LMs)`);
  }
  const c = model.config;
  if (c.attention_bias === true || c.mlp_bias === true) throw new Error(`[gguf] ${name} with attention_bias or mlp_bias is not supported; only bias-free Llama projections are written`);
  const scaling = c.rope_scaling as { rope_type?: string; type?: string } | null | undefined;
  const kind = scaling ? scaling.rope_type ?? scaling.type ?? "default" : "default";
  if (kind !== "default" && kind !== "linear") throw new Error(`[gguf] rope_scaling of type "${kind}" is not supported; supported: none, "linear"`);
}

export async function exportGguf(model: PreTrainedModel, file: string, opts: GgufExportOptions): Promise<GgufExportResult> {
  requirePlainModel(model);
  checkSupported(model);
  const outtype = opts?.outtype ?? "f16";
  if (!GGUF_OUTTYPES.includes(outtype)) throw new Error(`[gguf] outtype "${outtype}" is not supported; supported: ${GGUF_OUTTYPES.join(", ")}`);
  if (!opts?.tokenizer) throw new Error("[gguf] GGUF export needs the tokenizer (llama.cpp reads the vocabulary from the file); pass { tokenizer }");
  const c = model.config;
  const heads = num(model, "num_attention_heads");
  const kvHeads = num(model, "num_key_value_heads");
  const headDim = num(model, "head_dim");
  const hidden = num(model, "hidden_size");
  const layers = num(model, "num_hidden_layers");
  const w = new GgufWriter();
  w.set("general.architecture", { type: "string", value: "llama" });
  w.set("general.name", { type: "string", value: opts.name ?? model.constructor.name });
  w.set("general.file_type", { type: "u32", value: FILE_TYPE[outtype] });
  if (outtype === "q8_0" || outtype === "q4_0") w.set("general.quantization_version", { type: "u32", value: 2 });
  w.set("llama.vocab_size", { type: "u32", value: num(model, "vocab_size") });
  w.set("llama.context_length", { type: "u32", value: num(model, "max_position_embeddings") });
  w.set("llama.embedding_length", { type: "u32", value: hidden });
  w.set("llama.block_count", { type: "u32", value: layers });
  w.set("llama.feed_forward_length", { type: "u32", value: num(model, "intermediate_size") });
  w.set("llama.rope.dimension_count", { type: "u32", value: headDim });
  w.set("llama.rope.freq_base", { type: "f32", value: num(model, "rope_theta") });
  w.set("llama.attention.head_count", { type: "u32", value: heads });
  w.set("llama.attention.head_count_kv", { type: "u32", value: kvHeads });
  w.set("llama.attention.layer_norm_rms_epsilon", { type: "f32", value: num(model, "rms_norm_eps") });
  if (headDim * heads !== hidden) {
    w.set("llama.attention.key_length", { type: "u32", value: headDim });
    w.set("llama.attention.value_length", { type: "u32", value: headDim });
  }
  const scaling = c.rope_scaling as { factor?: number } | null | undefined;
  if (scaling) {
    w.set("llama.rope.scaling.type", { type: "string", value: "linear" });
    w.set("llama.rope.scaling.factor", { type: "f32", value: Number(scaling.factor) });
  }
  for (const [key, value] of llamaVocabMetadata(opts.tokenizer, num(model, "vocab_size"))) w.set(key, value);

  const sd = model.stateDict();
  const get = (key: string): Tensor => {
    const t = sd.get(key);
    if (!t) throw new Error(`[gguf] ${model.constructor.name} has no tensor "${key}"`);
    return t;
  };
  const written: { name: string; type: GgmlTypeName }[] = [];
  const add = (name: string, t: Tensor, values = t.toFloat32Array(), highPrecision = false) => {
    const cols = t.shape[t.ndim - 1];
    let type: GgmlTypeName = "F32";
    if (t.ndim >= 2 && outtype !== "f32") {
      const wanted: GgmlTypeName = outtype === "f16" ? "F16" : outtype === "q8_0" || highPrecision ? "Q8_0" : "Q4_0";
      // Block formats quantize along rows; a row that is not a whole number of blocks stays F16 (convert_hf_to_gguf.py falls back the same way).
      type = wanted !== "F16" && cols % QK !== 0 ? "F16" : wanted;
    }
    w.addTensor(name, t.shape, type, encodeTensor(values, type));
    written.push({ name, type });
  };
  // q4_0 keeps the embedding (and output) matrix at 8 bits, as llama-quantize keeps it above 4 bits.
  add("token_embd.weight", get("model.embed_tokens.weight"), undefined, true);
  for (let i = 0; i < layers; i++) {
    const p = `model.layers.${i}`;
    const q = get(`${p}.self_attn.q_proj.weight`);
    const k = get(`${p}.self_attn.k_proj.weight`);
    add(`blk.${i}.attn_norm.weight`, get(`${p}.input_layernorm.weight`));
    add(`blk.${i}.attn_q.weight`, q, permuteRotary(q.toFloat32Array(), q.shape[0], q.shape[1], heads));
    add(`blk.${i}.attn_k.weight`, k, permuteRotary(k.toFloat32Array(), k.shape[0], k.shape[1], kvHeads));
    add(`blk.${i}.attn_v.weight`, get(`${p}.self_attn.v_proj.weight`));
    add(`blk.${i}.attn_output.weight`, get(`${p}.self_attn.o_proj.weight`));
    add(`blk.${i}.ffn_norm.weight`, get(`${p}.post_attention_layernorm.weight`));
    add(`blk.${i}.ffn_gate.weight`, get(`${p}.mlp.gate_proj.weight`));
    add(`blk.${i}.ffn_up.weight`, get(`${p}.mlp.up_proj.weight`));
    add(`blk.${i}.ffn_down.weight`, get(`${p}.mlp.down_proj.weight`));
  }
  add("output_norm.weight", get("model.norm.weight"));
  // A tied head is token_embd itself; llama.cpp falls back to it when output.weight is absent.
  if (c.tie_word_embeddings !== true) add("output.weight", get("lm_head.weight"), undefined, true);
  writeFileAtomic(file, w.parts());
  return { file, tensors: written };
}
