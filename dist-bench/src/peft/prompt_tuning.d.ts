/**
 * Prompt tuning (PEFT PROMPT_TUNING): P trainable virtual-token embeddings in front of the word
 * embeddings of every row. inputs_embeds = cat(prompt, embed(input_ids)); the attention mask
 * gets P ones in front and causal-LM labels P × -100, so logits cover P + L positions.
 * Initialised at random (N(0, 1), nn.Embedding's init), from a vocabulary sample, or from the
 * embeddings of a tokenized text repeated/truncated to P (prompt_tuning_init TEXT).
 */
import { type Tensor } from "../tensor/index.js";
import { Module, Embedding } from "../nn/index.js";
import { type ConfigReader } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { type PromptLearningConfig } from "./prompt_learning.js";
export interface PromptTuningConfig extends PromptLearningConfig {
    peft_type: "PROMPT_TUNING";
    prompt_tuning_init: "RANDOM" | "TEXT" | "SAMPLE_VOCAB";
    prompt_tuning_init_text: string | null;
    tokenizer_name_or_path: string | null;
    tokenizer_kwargs: Record<string, unknown> | null;
}
export declare function parsePromptTuningConfig(dict: Record<string, unknown>): PromptTuningConfig;
/** Reads a PROMPT_TUNING config, noting every problem on the reader. */
export declare function readPromptTuningConfig(r: ConfigReader): PromptTuningConfig;
/** PEFT's PromptEmbedding: `embedding.weight` is (P·num_transformer_submodules, token_dim). */
export declare class PromptEmbedding extends Module {
    readonly total: number;
    readonly tokenDim: number;
    readonly embedding: Embedding;
    constructor(total: number, tokenDim: number);
    /** The prompts for a batch: (B, P, token_dim), the same for every row. */
    forward(B: number): Tensor;
}
/** The PromptTuning method as the registry holds it (src/peft/registry.ts lists it). */
export declare const PROMPT_TUNING_METHOD: PeftMethod<PromptTuningConfig>;
