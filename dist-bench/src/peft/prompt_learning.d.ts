import { Embedding } from "../nn/index.js";
import { type PreTrainedModel, type ModelInputs } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader } from "./config.js";
export declare const PROMPT_LEARNING_KEYS: readonly ["num_virtual_tokens", "token_dim", "num_transformer_submodules", "num_attention_heads", "num_layers"];
export interface PromptDims {
    num_virtual_tokens: number;
    token_dim: number | null;
    num_transformer_submodules: number | null;
    num_attention_heads: number | null;
    num_layers: number | null;
}
export interface PromptLearningConfig extends PeftConfig, PromptDims {
}
export declare function readPromptLearning(r: ConfigReader): PromptDims;
/** Fills num_layers, token_dim, num_attention_heads from the model config, as PEFT's _prepare_prompt_learning_config. */
export declare function fillPromptDims(model: PreTrainedModel, config: PromptLearningConfig, method: string): void;
/** The model's word-embedding table (wte, embed_tokens, word_embeddings): the vocab-sized Embedding. */
export declare function wordEmbeddings(model: PreTrainedModel): Embedding;
/**
 * Inputs grown by P virtual tokens in front: mask ones, labels -100 (when `labelsToo`), and
 * token types as `tokenTypes` says: "prefix" P zeros in front (prompt tuning, whose inputs grow),
 * "keep" as given (prefix tuning, whose inputs do not), "drop" removed (causal LM prompt tuning).
 */
export declare function extendForPrompt(inputs: ModelInputs, P: number, opts: {
    labelsToo: boolean;
    tokenTypes: "prefix" | "keep" | "drop";
}): ModelInputs;
/** The batch size of a forward call. */
export declare function batchSize(inputs: ModelInputs): number;
/** A tensor filled from ids for the text-initialised prompt (ids repeated/truncated to P). */
export declare function repeatIds(ids: number[], P: number): number[];
