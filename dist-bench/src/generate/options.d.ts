/**
 * Generation options with transformers' GenerationConfig names and defaults (max_new_tokens
 * 20 as max_length 20 gives, top_k 50, top_p 1, temperature 1), validated up front with the
 * key and the fix in the message, as GenerationConfig.validate does.
 */
import { SeededRandom } from "../tensor/random.js";
import type { PretrainedConfig } from "../models/configuration_utils.js";
import type { SamplingParams } from "./logits_process.js";
/** Decodes token ids to text: a tokenizer (needed for `stop`). */
export interface TextDecoder {
    decode(ids: ArrayLike<number>, options?: {
        skip_special_tokens?: boolean;
    }): string;
}
export interface GenerateOptions {
    max_new_tokens?: number;
    /** Sample from the (warped) distribution instead of taking the most likely token. */
    do_sample?: boolean;
    temperature?: number;
    /** Keep the k most likely tokens (0: off). Default 50, as transformers. */
    top_k?: number;
    /** Keep the most likely tokens whose probabilities add up to top_p (1: off). */
    top_p?: number;
    /** Drop tokens less likely than min_p x the top token's probability. */
    min_p?: number | null;
    /** > 1 discourages tokens already in the sequence (prompt included), < 1 favours them. */
    repetition_penalty?: number;
    /** Stop a row once it emits this token (or any of these); default: the config's eos_token_id. */
    eos_token_id?: number | number[] | null;
    /** Token written after a row has finished (default: pad_token_id, else the first eos). */
    pad_token_id?: number | null;
    /** Stop a row once its generated text contains one of these strings (needs `tokenizer`). */
    stop?: string | string[];
    /** Decodes generated tokens for `stop` (transformers' generate(tokenizer=...)). */
    tokenizer?: TextDecoder;
    /** Seeds the sampling of this call (row r draws from its own stream); default: the global generator. */
    seed?: number;
    /** Sequences per input row (sampling only), returned next to each other. */
    num_return_sequences?: number;
    /** Reuse keys/values between steps (default true); false recomputes the full sequence. */
    use_cache?: boolean;
    /** 0/1 per position of input_ids when they come padded (left padding for decoders). */
    attention_mask?: number[][];
}
export type FinishReason = "eos" | "length" | "stop";
/** Everything a row needs once resolved. */
export interface RowOptions extends SamplingParams {
    max_new_tokens: number;
    eos: Set<number>;
    stop: string[];
    tokenizer: TextDecoder | null;
}
/** Validates `opts` and fills transformers' defaults. */
export declare function resolveOptions(opts: GenerateOptions, config: PretrainedConfig): RowOptions;
/** num_return_sequences, checked as transformers does: more than one needs sampling. */
export declare function returnSequences(opts: GenerateOptions): number;
/**
 * One generator per row: with `seed`, row r's stream depends on (seed, r) only, so a seeded
 * call is reproducible and a row samples the same tokens alone or in any batch; without it
 * the seed comes from the global generator (manualSeed).
 */
export declare function rowGenerators(opts: GenerateOptions, rows: number): SeededRandom[] | null;
/** A 32-bit seed from (seed, stream) that differs in every bit for neighbouring streams. */
export declare function mixSeed(seed: number, stream: number): number;
/** The token finished rows are padded with. */
export declare function padTokenOf(opts: GenerateOptions, config: PretrainedConfig, eos: Set<number>): number;
