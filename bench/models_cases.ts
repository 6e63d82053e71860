/**
 * The rows of `npm run bench -- models`: real-size model shapes (random weights), the work
 * each row times, and its FLOP count.
 *
 * FLOPs are counted analytically from the GEMMs the math needs, 2·M·N·K each:
 *   forward F = every weight matmul (2 · tokens · in · out, the LM head included, the
 *   pooler/classifier on one token per row) + attention (QKᵀ and PV: 2 · 2 · B · T_q · T_k · hidden
 *   per layer; causal attention counted over the full T × T square, as dense kernels compute it).
 *   full training step = 3F (forward, input gradients, weight gradients);
 *   A classifier on position 0 (the BERT rows) needs the last layer for that position alone:
 *   there its queries, attention output, feed-forward and attention count one row per
 *   sequence, its keys and values every token (tunelab computes just that; PyTorch and
 *   onnxruntime compute every position, work the count leaves out).
 *   frozen-base LoRA step = 2 · weight matmuls (forward + input gradients; no weight gradients)
 *   + 3 · attention (both operands of QKᵀ and PV need gradients) + 3 · adapter matmuls
 *   (2 · tokens · r · (in + out) each), the small trainable head counted with the base;
 *   generation = the prompt's forward + each new token's forward over the cache
 *   (attention against the tokens so far).
 * Element-wise work, norms, softmax and the optimizer are not counted: "% of peak" is GEMM
 * FLOPs over wall time, so everything else shows up as lost efficiency.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

export type Family = "bert" | "gpt2" | "llama";
export const MODES = ["inference", "full", "lora", "generate"] as const;
export type Mode = (typeof MODES)[number];

export interface ModelSpec {
  /** The subset name (`npm run bench -- models bert-base`). */
  key: string;
  family: Family;
  /** Hugging Face config.json keys. */
  config: Record<string, unknown>;
  /** Its --quick stand-in: the same architecture, tiny. */
  quick: Record<string, unknown>;
  lora: { target_modules: string[]; task_type: string; trainable: string[] };
  /** Whether two engines' copies may not both fit in memory beside the others' work. */
  big?: boolean;
}

export interface ModelCase {
  spec: ModelSpec;
  mode: Mode;
  B: number;
  T: number;
  /** generate: new tokens after a T-token prompt. */
  newTokens?: number;
}

export const LORA = { r: 8, lora_alpha: 16, lora_dropout: 0 };

const bertConfig = (h: number, layers: number, heads: number) => ({
  architectures: ["BertForSequenceClassification"], model_type: "bert", vocab_size: 30522, hidden_size: h, num_hidden_layers: layers,
  num_attention_heads: heads, intermediate_size: 4 * h, hidden_act: "gelu", hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
  max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12, num_labels: 2, initializer_range: 0.02,
});
const BERT_LORA = { target_modules: ["query", "value"], task_type: "SEQ_CLS", trainable: ["classifier"] };
const QUICK_BERT = { ...bertConfig(64, 2, 4), vocab_size: 1000, max_position_embeddings: 64 };

export const SPECS: ModelSpec[] = [
  { key: "bert-base", family: "bert", config: bertConfig(768, 12, 12), quick: QUICK_BERT, lora: BERT_LORA },
  // google/bert_uncased_L-4_H-512_A-8
  { key: "bert-small", family: "bert", config: bertConfig(512, 4, 8), quick: QUICK_BERT, lora: BERT_LORA },
  {
    key: "gpt2", family: "gpt2",
    config: {
      architectures: ["GPT2LMHeadModel"], model_type: "gpt2", vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12,
      activation_function: "gelu_new", resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0, layer_norm_epsilon: 1e-5, initializer_range: 0.02,
      bos_token_id: 50256, eos_token_id: 50256,
    },
    quick: {
      architectures: ["GPT2LMHeadModel"], model_type: "gpt2", vocab_size: 1000, n_positions: 64, n_embd: 64, n_layer: 2, n_head: 4,
      activation_function: "gelu_new", resid_pdrop: 0, embd_pdrop: 0, attn_pdrop: 0, layer_norm_epsilon: 1e-5, bos_token_id: 999, eos_token_id: 999,
    },
    lora: { target_modules: ["c_attn"], task_type: "CAUSAL_LM", trainable: [] },
  },
  {
    // TinyLlama-1.1B's shape (its real config has 4 KV heads; issue 15's slice used 8).
    key: "llama-1b", family: "llama", big: true,
    config: {
      architectures: ["LlamaForCausalLM"], model_type: "llama", vocab_size: 32000, hidden_size: 2048, intermediate_size: 5632,
      num_hidden_layers: 22, num_attention_heads: 32, num_key_value_heads: 4, max_position_embeddings: 2048, rms_norm_eps: 1e-5,
      rope_theta: 10000, hidden_act: "silu", tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 2, initializer_range: 0.02,
    },
    quick: {
      architectures: ["LlamaForCausalLM"], model_type: "llama", vocab_size: 1000, hidden_size: 64, intermediate_size: 176,
      num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 128, rms_norm_eps: 1e-5,
      rope_theta: 10000, hidden_act: "silu", tie_word_embeddings: false, bos_token_id: 1, eos_token_id: 2,
    },
    lora: { target_modules: ["q_proj", "v_proj"], task_type: "CAUSAL_LM", trainable: [] },
  },
];

const spec = (key: string) => SPECS.find((s) => s.key === key)!;

/** The full run's rows, in order (issue 15's table, plus decoder generation for onnxruntime). */
export const CASES: ModelCase[] = [
  { spec: spec("bert-base"), mode: "inference", B: 8, T: 128 },
  { spec: spec("bert-base"), mode: "full", B: 8, T: 128 },
  { spec: spec("bert-base"), mode: "lora", B: 8, T: 128 },
  { spec: spec("bert-small"), mode: "inference", B: 4, T: 256 },
  { spec: spec("bert-small"), mode: "full", B: 4, T: 256 },
  { spec: spec("bert-small"), mode: "lora", B: 4, T: 256 },
  { spec: spec("gpt2"), mode: "lora", B: 4, T: 256 },
  { spec: spec("gpt2"), mode: "full", B: 4, T: 256 },
  { spec: spec("gpt2"), mode: "generate", B: 1, T: 64, newTokens: 32 },
  { spec: spec("llama-1b"), mode: "lora", B: 1, T: 512 },
];

/** --quick: every mode once on tiny shapes. */
export const QUICK_CASES: ModelCase[] = [
  { spec: spec("bert-base"), mode: "inference", B: 2, T: 16 },
  { spec: spec("bert-base"), mode: "full", B: 2, T: 16 },
  { spec: spec("bert-base"), mode: "lora", B: 2, T: 16 },
  { spec: spec("gpt2"), mode: "full", B: 2, T: 16 },
  { spec: spec("gpt2"), mode: "generate", B: 1, T: 8, newTokens: 4 },
  { spec: spec("llama-1b"), mode: "lora", B: 1, T: 16 },
];

export function caseName(c: ModelCase): string {
  const what = c.mode === "generate" ? `generate ${c.T}+${c.newTokens}` : c.mode === "lora" ? `LoRA ${c.spec.lora.target_modules.join(",")} r=${LORA.r} step` : c.mode === "full" ? "full step" : "inference";
  return `${c.spec.key} ${what} ${c.B}x${c.T}`;
}

/** Deterministic token ids (bench/models_torch.py token_ids computes the same). */
export function tokenIds(B: number, T: number, vocab: number): number[][] {
  return Array.from({ length: B }, (_, i) => Array.from({ length: T }, (_, j) => (i * 7919 + j * 104729 + 13) % vocab));
}

// ---------------------------------------------------------------- FLOPs

interface Shape {
  hidden: number;
  layers: number;
  vocab: number;
  /** Weight matmuls of one layer: [in, out]. */
  linears: [string, number, number][];
  /** Whether the LM head runs on every token (causal LM) or a classifier on position 0 of each row. */
  lmHead: boolean;
}

/** Rows a weight matmul of the last layer needs: every token, or with a position-0 classifier only its keys and values. */
function lastLayerRows(s: Shape, name: string, tokens: number, rows: number): number {
  return s.lmHead || name === "key" || name === "value" ? tokens : rows;
}

function shapeOf(family: Family, c: Record<string, unknown>): Shape {
  const n = (k: string) => c[k] as number;
  if (family === "bert") {
    const h = n("hidden_size"), i = n("intermediate_size");
    return { hidden: h, layers: n("num_hidden_layers"), vocab: n("vocab_size"), lmHead: false, linears: [["query", h, h], ["key", h, h], ["value", h, h], ["attention.output", h, h], ["intermediate", h, i], ["output", i, h]] };
  }
  if (family === "gpt2") {
    const h = n("n_embd");
    return { hidden: h, layers: n("n_layer"), vocab: n("vocab_size"), lmHead: true, linears: [["c_attn", h, 3 * h], ["attn.c_proj", h, h], ["c_fc", h, 4 * h], ["mlp.c_proj", 4 * h, h]] };
  }
  const h = n("hidden_size"), i = n("intermediate_size");
  const kv = (h / n("num_attention_heads")) * n("num_key_value_heads");
  return {
    hidden: h, layers: n("num_hidden_layers"), vocab: n("vocab_size"), lmHead: true,
    linears: [["q_proj", h, h], ["k_proj", h, kv], ["v_proj", h, kv], ["o_proj", h, h], ["gate_proj", h, i], ["up_proj", h, i], ["down_proj", i, h]],
  };
}

/** FLOPs of one timed call of the case (see the file comment), and of its GEMMs by kind. */
export function caseFlops(c: ModelCase, config: Record<string, unknown>): number {
  const s = shapeOf(c.spec.family, config);
  const forward = (tokens: number, ctx: number, rows: number) => {
    const layer = (last: boolean) => s.linears.reduce((a, [name, i, o]) => a + 2 * (last ? lastLayerRows(s, name, tokens, rows) : tokens) * i * o, 0);
    const weights = (s.layers - 1) * layer(false) + layer(true);
    const attention = (s.layers - 1) * 4 * tokens * ctx * s.hidden + 4 * (s.lmHead ? tokens : rows) * ctx * s.hidden;
    const head = s.lmHead ? 2 * tokens * s.hidden * s.vocab : 2 * rows * (s.hidden * s.hidden + s.hidden * 2);
    return { weights, attention, head };
  };
  const tokens = c.B * c.T;
  const f = forward(tokens, c.T, c.B);
  if (c.mode === "inference") return f.weights + f.attention + f.head;
  if (c.mode === "full") return 3 * (f.weights + f.attention + f.head);
  if (c.mode === "lora") {
    const adapted = s.linears.filter(([name]) => c.spec.lora.target_modules.some((t) => name === t || name.endsWith(t)));
    const adapter = (last: boolean) => adapted.reduce((a, [name, i, o]) => a + 2 * (last ? lastLayerRows(s, name, tokens, c.B) : tokens) * LORA.r * (i + o), 0);
    const adapters = (s.layers - 1) * adapter(false) + adapter(true);
    return 2 * (f.weights + f.head) + 3 * f.attention + 3 * adapters;
  }
  let total = f.weights + f.attention + f.head;
  for (let k = 1; k < (c.newTokens ?? 0); k++) {
    const g = forward(c.B, c.T + k, c.B);
    total += g.weights + g.attention + g.head;
  }
  return total;
}

/** Tokens one timed call processes (generate: the new tokens). */
export function caseTokens(c: ModelCase): number {
  return c.mode === "generate" ? c.B * (c.newTokens ?? 0) : c.B * c.T;
}

// ---------------------------------------------------------------- the cached checkpoints

/** Where a model's random-weight folder lives: keyed by its config, reused across runs. */
export function checkpointDir(family: Family, config: Record<string, unknown>): string {
  const key = createHash("sha256").update(JSON.stringify({ family, config, v: 1 })).digest("hex").slice(0, 12);
  const root = process.env.TUNELAB_BENCH_CACHE ?? join(tmpdir(), "tunelab-bench-models");
  return join(root, `${family}-${key}`);
}

export function checkpointReady(dir: string): boolean {
  return existsSync(join(dir, ".complete"));
}

/** Writes config.json + safetensors with tunelab's own initialization, atomically (a folder renamed into place). */
export async function writeCheckpoint(family: Family, config: Record<string, unknown>, dir: string): Promise<void> {
  const { BertConfig, BertForSequenceClassification, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM, manualSeed } = await import("../src/index.js");
  manualSeed(1234);
  const model =
    family === "bert" ? new BertForSequenceClassification(BertConfig.fromDict(config))
    : family === "gpt2" ? new GPT2LMHeadModel(GPT2Config.fromDict(config))
    : new LlamaForCausalLM(LlamaConfig.fromDict(config));
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  model.savePretrained(tmp, { max_shard_size: "2GB" });
  writeFileSync(join(tmp, ".complete"), "");
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}
