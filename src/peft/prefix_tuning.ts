/**
 * Prefix tuning (PEFT PREFIX_TUNING): trainable keys and values of P virtual tokens in every
 * attention layer, used as a pre-filled KV cache. `prompt_embeddings` is
 * (P, num_layers·2·token_dim); layer l's key is columns [2l·D, (2l+1)·D), its value the next D,
 * each viewed (P, heads, D/heads). The attention mask gets P ones in front, real tokens take
 * positions P…P+L−1, and prefix keys are never rotated (RoPE). With prefix_projection the
 * prefix is an MLP (token_dim → encoder_hidden_size → tanh → num_layers·2·token_dim) of a
 * (P, token_dim) table, and the saved `prompt_embeddings` is that MLP's output, as PEFT saves it.
 *
 * Needs a model whose attention takes past_key_values: GPT-2, Llama, Mistral, Qwen2, and the
 * BERT-family encoders (BERT, RoBERTa, DistilBERT), whose self-attention prepends them as
 * transformers' BertSelfAttention does. As in PEFT, token_type_ids are passed unchanged (the
 * inputs do not grow) and position ids are the model's defaults after P past positions.
 * Encoder-decoder models (T5) are refused with a pointer to LoRA/IA3.
 */
import { type Tensor, tanh, noGrad } from "../tensor/index.js";
import { Module, ModuleList, Linear, Embedding } from "../nn/index.js";
import type { PreTrainedModel, ModelInputs } from "../models/modeling_utils.js";
import { type ConfigReader, PeftConfigError, parseOrThrow, type InjectOptions } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { type PromptLearningConfig, PROMPT_LEARNING_KEYS, readPromptLearning, fillPromptDims, extendForPrompt } from "./prompt_learning.js";

export interface PrefixTuningConfig extends PromptLearningConfig {
  peft_type: "PREFIX_TUNING";
  encoder_hidden_size: number | null;
  prefix_projection: boolean;
}

/** Families whose attention prepends past_key_values. */
export const PREFIX_TUNING_MODEL_TYPES = ["bert", "roberta", "distilbert", "gpt2", "llama", "mistral", "qwen2"];

/** Reads a PREFIX_TUNING config, noting every problem on the reader. */
export function readPrefixTuningConfig(r: ConfigReader): PrefixTuningConfig {
  const dict = r.dict;
  const base = r.base("PREFIX_TUNING", [...PROMPT_LEARNING_KEYS, "encoder_hidden_size", "prefix_projection"]);
  const pos = (x: number) => Number.isInteger(x) && x > 0;
  return {
    ...base,
    ...readPromptLearning(r),
    peft_type: "PREFIX_TUNING",
    encoder_hidden_size: dict.encoder_hidden_size == null ? null : r.number("encoder_hidden_size", 0, pos, "a positive integer"),
    prefix_projection: r.bool("prefix_projection", false),
  };
}

class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** PEFT's PrefixEncoder: `embedding.weight`, and `transform.{0,2}` with prefix_projection. */
export class PrefixEncoder extends Module {
  readonly embedding: Embedding;
  readonly transform: ModuleList | null;

  constructor(readonly P: number, tokenDim: number, readonly outDim: number, projection: { hidden: number } | null) {
    super();
    this.embedding = this.addModule("embedding", new Embedding(P, projection ? tokenDim : outDim, null, 1));
    this.transform = projection
      ? this.addModule("transform", new ModuleList<Module>([new Linear(tokenDim, projection.hidden), new Tanh(), new Linear(projection.hidden, outDim)]))
      : null;
  }

  /** (P, num_layers·2·token_dim). */
  forward(): Tensor {
    const e = this.embedding.weight;
    if (!this.transform) return e;
    const [l1, , l2] = this.transform.items as [Linear, Tanh, Linear];
    return l2.forward(tanh(l1.forward(e)));
  }
}

function createEncoder(model: PreTrainedModel, config: PrefixTuningConfig, opts: InjectOptions): Module {
  const mc = model.config as unknown as Record<string, unknown>;
  const modelType = String(mc.model_type);
  if (!PREFIX_TUNING_MODEL_TYPES.includes(modelType)) {
    fillPromptDims(model, config, "prefix tuning"); // names encoder-decoder models (T5) with its own advice
    throw new PeftConfigError(
      `[peft] prefix tuning needs a model whose attention takes past_key_values (${PREFIX_TUNING_MODEL_TYPES.join(", ")}); ${modelType} does not in tunelab — use prompt tuning, LoRA or IA3`,
    );
  }
  const given = { dim: config.token_dim, heads: config.num_attention_heads };
  fillPromptDims(model, config, "prefix tuning");
  // Grouped-query attention: the cache holds num_key_value_heads heads (PEFT adjusts token_dim the same way).
  const kv = typeof mc.num_key_value_heads === "number" ? (mc.num_key_value_heads as number) : null;
  if (kv !== null && given.dim === null && given.heads === null) {
    const headDim = typeof mc.head_dim === "number" ? (mc.head_dim as number) : config.token_dim! / config.num_attention_heads!;
    config.token_dim = headDim * kv;
    config.num_attention_heads = kv;
  }
  if (config.token_dim! % config.num_attention_heads! !== 0) {
    throw new PeftConfigError(`[peft] prefix tuning: token_dim ${config.token_dim} is not divisible by num_attention_heads ${config.num_attention_heads}`);
  }
  config.encoder_hidden_size ??= config.token_dim;
  const outDim = config.num_layers! * 2 * config.token_dim!;
  const P = config.num_virtual_tokens * (config.num_transformer_submodules ?? 1);
  // A saved prefix is the projection's output (PEFT saves it so): loaded adapters use it as a plain table.
  const projection = config.prefix_projection && !config.inference_mode && !opts.fromSaved ? { hidden: config.encoder_hidden_size! } : null;
  return new PrefixEncoder(P, config.token_dim!, outDim, projection);
}

/** Per layer [key, value], each (1, heads, P, D/heads): broadcast over the batch by the model. */
export function prefixPastKeyValues(flat: Tensor, config: PrefixTuningConfig): [Tensor, Tensor][] {
  const P = flat.shape[0];
  const D = config.token_dim!;
  const H = config.num_attention_heads!;
  const out: [Tensor, Tensor][] = [];
  const view = (start: number) => flat.narrow(1, start, D).reshape(P, H, D / H).permute(1, 0, 2).unsqueeze(0);
  for (let l = 0; l < config.num_layers!; l++) out.push([view(2 * l * D), view((2 * l + 1) * D)]);
  return out;
}

function prepareInputs(_model: PreTrainedModel, encoder: Module, config: PrefixTuningConfig, inputs: ModelInputs): ModelInputs {
  const enc = encoder as PrefixEncoder;
  if (inputs.past_key_values) throw new PeftConfigError("[peft] prefix tuning builds past_key_values itself; do not pass them");
  const out = extendForPrompt(inputs, enc.P, { labelsToo: false, tokenTypes: "keep" });
  out.past_key_values = prefixPastKeyValues(enc.forward(), config);
  return out;
}

/** The PrefixTuning method as the registry holds it (src/peft/registry.ts lists it). */
export const PREFIX_TUNING_METHOD: PeftMethod<PrefixTuningConfig> = {
  peft_type: "PREFIX_TUNING",
  name: "prefix_tuning",
  summary: "prefix tuning: learned keys and values before every attention layer",
  prefix: "prompt_encoder",
  readConfig: readPrefixTuningConfig,
  prompt: {
    createEncoder,
    prepareInputs,
    embeddingsToSave: (encoder) => noGrad(() => (encoder as PrefixEncoder).forward().contiguous()),
    trainingState: (encoder) => ((encoder as PrefixEncoder).transform ? new Map(encoder.stateDict()) : null),
    loadEmbeddings: (encoder, _config, t) => {
      const enc = encoder as PrefixEncoder;
      const want = [enc.P, enc.outDim];
      if (t.ndim !== 2 || t.shape[0] !== want[0] || t.shape[1] !== want[1]) {
        throw new PeftConfigError(
          `[peft] prefix tuning: prompt_embeddings is [${t.shape.join(", ")}] but num_virtual_tokens ${enc.P} × num_layers·2·token_dim ${enc.outDim} expects [${want.join(", ")}]; check the adapter matches this base model`,
        );
      }
      if (enc.transform) {
        throw new PeftConfigError(
          "[peft] prefix tuning: the adapter holds the prefix_projection MLP's output only, which cannot refill the MLP; load it for inference (is_trainable false), or resume from a tunelab checkpoint (it keeps the MLP in prompt_encoder_state.safetensors)",
        );
      }
      enc.embedding.weight.f32().set(t.toFloat32Array());
    },
  },
};
