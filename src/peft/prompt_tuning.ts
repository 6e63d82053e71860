/**
 * Prompt tuning (PEFT PROMPT_TUNING): P trainable virtual-token embeddings in front of the word
 * embeddings of every row. inputs_embeds = cat(prompt, embed(input_ids)); the attention mask
 * gets P ones in front and causal-LM labels P × -100, so logits cover P + L positions.
 * Initialised at random (N(0, 1), nn.Embedding's init), from a vocabulary sample, or from the
 * embeddings of a tokenized text repeated/truncated to P (prompt_tuning_init TEXT).
 */
import { type Tensor, cat, noGrad, indexSelect, rand } from "../tensor/index.js";
import { Module, Embedding } from "../nn/index.js";
import { type PreTrainedModel, type ModelInputs, toIds } from "../models/modeling_utils.js";
import { type ConfigReader, PeftConfigError, parseOrThrow, type InjectOptions } from "./config.js";
import type { PeftMethod } from "./registry.js";
import {
  type PromptLearningConfig, PROMPT_LEARNING_KEYS, readPromptLearning, fillPromptDims, wordEmbeddings, extendForPrompt, batchSize, repeatIds,
} from "./prompt_learning.js";

export interface PromptTuningConfig extends PromptLearningConfig {
  peft_type: "PROMPT_TUNING";
  prompt_tuning_init: "RANDOM" | "TEXT" | "SAMPLE_VOCAB";
  prompt_tuning_init_text: string | null;
  tokenizer_name_or_path: string | null;
  tokenizer_kwargs: Record<string, unknown> | null;
}

/** Reads a PROMPT_TUNING config, noting every problem on the reader. */
export function readPromptTuningConfig(r: ConfigReader): PromptTuningConfig {
  const dict = r.dict;
  const base = r.base("PROMPT_TUNING", [...PROMPT_LEARNING_KEYS, "prompt_tuning_init", "prompt_tuning_init_text", "tokenizer_name_or_path", "tokenizer_kwargs"]);
  const cfg: PromptTuningConfig = {
    ...base,
    ...readPromptLearning(r),
    peft_type: "PROMPT_TUNING",
    prompt_tuning_init: r.oneOf("prompt_tuning_init", ["RANDOM", "TEXT", "SAMPLE_VOCAB"] as const, "RANDOM"),
    prompt_tuning_init_text: r.string("prompt_tuning_init_text"),
    tokenizer_name_or_path: r.string("tokenizer_name_or_path"),
    tokenizer_kwargs: (dict.tokenizer_kwargs as Record<string, unknown> | null | undefined) ?? null,
  };
  if (cfg.prompt_tuning_init === "TEXT" && !cfg.prompt_tuning_init_text) {
    r.problem('[peft] prompt_tuning_init "TEXT" needs prompt_tuning_init_text (and tokenizer_name_or_path)');
  }
  if (cfg.prompt_tuning_init === "TEXT" && !cfg.tokenizer_name_or_path) {
    r.problem('[peft] prompt_tuning_init "TEXT" needs tokenizer_name_or_path (the tokenizer of the base model)');
  }
  return cfg;
}

/** PEFT's PromptEmbedding: `embedding.weight` is (P·num_transformer_submodules, token_dim). */
export class PromptEmbedding extends Module {
  readonly embedding: Embedding;
  constructor(readonly total: number, readonly tokenDim: number) {
    super();
    this.embedding = this.addModule("embedding", new Embedding(total, tokenDim, null, 1));
  }
  /** The prompts for a batch: (B, P, token_dim), the same for every row. */
  forward(B: number): Tensor {
    const w = this.embedding.weight;
    return w.unsqueeze(0).expand(B, w.shape[0], w.shape[1]);
  }
}

function createEncoder(model: PreTrainedModel, config: PromptTuningConfig, opts: InjectOptions): Module {
  fillPromptDims(model, config, "prompt tuning");
  const P = config.num_virtual_tokens * (config.num_transformer_submodules ?? 1);
  const words = wordEmbeddings(model);
  if (config.token_dim !== words.embeddingDim) {
    throw new PeftConfigError(`[peft] prompt tuning: token_dim ${config.token_dim} does not match the word embeddings' ${words.embeddingDim}`);
  }
  const enc = new PromptEmbedding(P, config.token_dim!);
  noGrad(() => {
    if (config.prompt_tuning_init === "TEXT") {
      if (!opts.tokenizer) {
        throw new PeftConfigError(
          `[peft] prompt_tuning_init "TEXT" needs the tokenizer "${config.tokenizer_name_or_path}": pass it as getPeftModel(model, config, { tokenizer })`,
        );
      }
      const ids = repeatIds(opts.tokenizer.encode(config.prompt_tuning_init_text!), P);
      enc.embedding.setParameter("weight", indexSelect(words.weight, 0, ids).contiguous());
    } else if (config.prompt_tuning_init === "SAMPLE_VOCAB") {
      const V = words.numEmbeddings;
      // torch.randint(0, V, (P,)) from the global generator (manualSeed).
      const ids = Array.from(rand([P]).toFloat32Array(), (u) => Math.min(V - 1, Math.floor(u * V)));
      enc.embedding.setParameter("weight", indexSelect(words.weight, 0, ids).contiguous());
    }
  });
  return enc;
}

function prepareInputs(model: PreTrainedModel, encoder: Module, config: PromptTuningConfig, inputs: ModelInputs): ModelInputs {
  const enc = encoder as PromptEmbedding;
  const B = batchSize(inputs);
  const P = enc.total;
  const embeds = inputs.inputs_embeds ?? wordEmbeddings(model).forward(toIds(inputs.input_ids!));
  const task = config.task_type;
  const out = extendForPrompt(inputs, P, { labelsToo: task === "CAUSAL_LM" || task === "TOKEN_CLS", tokenTypes: task === "CAUSAL_LM" ? "drop" : "prefix" });
  delete out.input_ids;
  out.inputs_embeds = cat([enc.forward(B), embeds], 1);
  return out;
}

/** The PromptTuning method as the registry holds it (src/peft/registry.ts lists it). */
export const PROMPT_TUNING_METHOD: PeftMethod<PromptTuningConfig> = {
  peft_type: "PROMPT_TUNING",
  name: "prompt_tuning",
  summary: "prompt tuning: learned virtual tokens before the input embeddings",
  prefix: "prompt_encoder",
  readConfig: readPromptTuningConfig,
  prompt: {
    createEncoder,
    prepareInputs,
    embeddingsToSave: (encoder) => (encoder as PromptEmbedding).embedding.weight,
    loadEmbeddings: (encoder, _config, t) => {
      const w = (encoder as PromptEmbedding).embedding.weight;
      if (w.numel !== t.numel) {
        throw new PeftConfigError(`[peft] prompt tuning: prompt_embeddings is [${t.shape.join(", ")}] but the adapter expects [${w.shape.join(", ")}]`);
      }
      w.f32().set(t.toFloat32Array());
    },
  },
};
