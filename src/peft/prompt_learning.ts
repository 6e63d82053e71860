/**
 * What prompt tuning and prefix tuning share (PEFT's PromptLearningConfig and the prompt-learning
 * branch of PeftModel.forward): the config keys, the dimensions PEFT fills in from the model
 * config, and the attention mask / labels / token types that grow by P virtual tokens.
 */
import { type Tensor, cat, full } from "../tensor/index.js";
import { Embedding } from "../nn/index.js";
import { type PreTrainedModel, type ModelInputs, toIds, toFloat } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader, PeftConfigError } from "./config.js";
import { walkModules } from "./targets.js";

export const PROMPT_LEARNING_KEYS = ["num_virtual_tokens", "token_dim", "num_transformer_submodules", "num_attention_heads", "num_layers"] as const;

export interface PromptDims {
  num_virtual_tokens: number;
  token_dim: number | null;
  num_transformer_submodules: number | null;
  num_attention_heads: number | null;
  num_layers: number | null;
}

export interface PromptLearningConfig extends PeftConfig, PromptDims {}

export function readPromptLearning(r: ConfigReader): PromptDims {
  const dict = r.dict;
  const pos = (x: number) => Number.isInteger(x) && x > 0;
  const opt = (k: string) => (dict[k] === undefined || dict[k] === null ? null : r.number(k, 0, pos, "a positive integer"));
  const num = dict.num_virtual_tokens;
  if (num === undefined || num === null) r.problem("[peft] num_virtual_tokens is required for prompt learning (e.g. 20)");
  return {
    num_virtual_tokens: r.number("num_virtual_tokens", 1, pos, "a positive integer"),
    token_dim: opt("token_dim"),
    num_transformer_submodules: opt("num_transformer_submodules"),
    num_attention_heads: opt("num_attention_heads"),
    num_layers: opt("num_layers"),
  };
}

const ENCODER_DECODER = new Set(["t5", "mt5", "bart"]);

function firstNumber(cfg: Record<string, unknown>, keys: string[]): number | null {
  for (const k of keys) if (typeof cfg[k] === "number") return cfg[k] as number;
  return null;
}

/** Fills num_layers, token_dim, num_attention_heads from the model config, as PEFT's _prepare_prompt_learning_config. */
export function fillPromptDims(model: PreTrainedModel, config: PromptLearningConfig, method: string): void {
  const mc = model.config as unknown as Record<string, unknown>;
  const modelType = String(mc.model_type);
  if (ENCODER_DECODER.has(modelType)) {
    throw new PeftConfigError(`[peft] ${method} on encoder-decoder models (${modelType}) is not supported yet; use LoRA or IA3 for ${modelType}`);
  }
  config.num_layers ??= firstNumber(mc, ["num_hidden_layers", "n_layer", "num_layers"]);
  config.token_dim ??= firstNumber(mc, ["hidden_size", "n_embd", "d_model"]);
  config.num_attention_heads ??= firstNumber(mc, ["num_attention_heads", "n_head", "num_heads"]);
  config.num_transformer_submodules ??= 1;
  if (config.num_layers === null || config.token_dim === null || config.num_attention_heads === null) {
    throw new PeftConfigError(`[peft] ${method}: cannot read num_layers/token_dim/num_attention_heads from the ${modelType} config; set them in the PEFT config`);
  }
}

/** The model's word-embedding table (wte, embed_tokens, word_embeddings): the vocab-sized Embedding. */
export function wordEmbeddings(model: PreTrainedModel): Embedding {
  const vocab = (model.config as unknown as Record<string, unknown>).vocab_size;
  for (const [, m] of walkModules(model)) if (m instanceof Embedding && m.numEmbeddings === vocab) return m;
  for (const [, m] of walkModules(model)) if (m instanceof Embedding) return m;
  throw new PeftConfigError(`[peft] ${model.constructor.name} has no word-embedding table`);
}

/** Rows [B, P] of `value` in front of x [B, L] (mask ones, labels -100, token types 0). */
function prefixColumns(x: Tensor, P: number, value: number, asFloat: boolean): Tensor {
  const B = x.shape[0];
  const pre = asFloat ? full([B, P], value) : full([B, P], value, { dtype: "int32" });
  return cat([pre, x], 1);
}

/**
 * Inputs grown by P virtual tokens in front: mask ones, labels -100 (when `labelsToo`), and
 * token types as `tokenTypes` says: "prefix" P zeros in front (prompt tuning, whose inputs grow),
 * "keep" as given (prefix tuning, whose inputs do not), "drop" removed (causal LM prompt tuning).
 */
export function extendForPrompt(inputs: ModelInputs, P: number, opts: { labelsToo: boolean; tokenTypes: "prefix" | "keep" | "drop" }): ModelInputs {
  const out: ModelInputs = { ...inputs };
  if (inputs.attention_mask !== undefined && inputs.attention_mask !== null) out.attention_mask = prefixColumns(toFloat(inputs.attention_mask), P, 1, true);
  if (opts.labelsToo && inputs.labels !== undefined) {
    const lab = toIds(inputs.labels, "labels");
    out.labels = lab.ndim === 2 ? prefixColumns(lab, P, -100, false) : lab;
  }
  if (inputs.token_type_ids !== undefined) {
    if (opts.tokenTypes === "prefix") out.token_type_ids = prefixColumns(toIds(inputs.token_type_ids, "token_type_ids"), P, 0, false);
    else if (opts.tokenTypes === "drop") delete out.token_type_ids;
  }
  if (inputs.position_ids !== undefined) {
    console.warn("[peft] position ids are not supported for parameter-efficient prompt learning; ignoring position_ids (as PEFT does)");
    delete out.position_ids;
  }
  return out;
}

/** The batch size of a forward call. */
export function batchSize(inputs: ModelInputs): number {
  if (inputs.inputs_embeds) return inputs.inputs_embeds.shape[0];
  if (inputs.input_ids !== undefined) return toIds(inputs.input_ids).shape[0];
  throw new PeftConfigError("[peft] pass input_ids or inputs_embeds");
}

/** A tensor filled from ids for the text-initialised prompt (ids repeated/truncated to P). */
export function repeatIds(ids: number[], P: number): number[] {
  if (ids.length === 0) throw new PeftConfigError("[peft] prompt_tuning_init_text tokenized to no ids");
  const reps = Math.ceil(P / ids.length);
  const out: number[] = [];
  for (let i = 0; i < reps; i++) out.push(...ids);
  return out.slice(0, P);
}
