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
import { type Tensor } from "../tensor/index.js";
import { Module, ModuleList, Embedding } from "../nn/index.js";
import { type ConfigReader } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { type PromptLearningConfig } from "./prompt_learning.js";
export interface PrefixTuningConfig extends PromptLearningConfig {
    peft_type: "PREFIX_TUNING";
    encoder_hidden_size: number | null;
    prefix_projection: boolean;
}
/** Families whose attention prepends past_key_values. */
export declare const PREFIX_TUNING_MODEL_TYPES: string[];
export declare function parsePrefixTuningConfig(dict: Record<string, unknown>): PrefixTuningConfig;
/** Reads a PREFIX_TUNING config, noting every problem on the reader. */
export declare function readPrefixTuningConfig(r: ConfigReader): PrefixTuningConfig;
/** PEFT's PrefixEncoder: `embedding.weight`, and `transform.{0,2}` with prefix_projection. */
export declare class PrefixEncoder extends Module {
    readonly P: number;
    readonly outDim: number;
    readonly embedding: Embedding;
    readonly transform: ModuleList | null;
    constructor(P: number, tokenDim: number, outDim: number, projection: {
        hidden: number;
    } | null);
    /** (P, num_layers·2·token_dim). */
    forward(): Tensor;
}
/** Per layer [key, value], each (1, heads, P, D/heads): broadcast over the batch by the model. */
export declare function prefixPastKeyValues(flat: Tensor, config: PrefixTuningConfig): [Tensor, Tensor][];
/** The PrefixTuning method as the registry holds it (src/peft/registry.ts lists it). */
export declare const PREFIX_TUNING_METHOD: PeftMethod<PrefixTuningConfig>;
