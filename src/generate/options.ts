/**
 * Generation options with transformers' GenerationConfig names and defaults (max_new_tokens
 * 20 as max_length 20 gives, top_k 50, top_p 1, temperature 1), validated up front with the
 * key and the fix in the message, as GenerationConfig.validate does.
 */
import { SeededRandom, nextKernelSeed } from "../tensor/random.js";
import type { PretrainedConfig } from "../models/configuration_utils.js";
import type { SamplingParams } from "./logits_process.js";

/** Decodes token ids to text: a tokenizer (needed for `stop`). */
export interface TextDecoder {
  decode(ids: ArrayLike<number>, options?: { skip_special_tokens?: boolean }): string;
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

const fail = (msg: string): never => {
  throw new RangeError(`[generate] ${msg}`);
};

function eosOf(opts: GenerateOptions, config: PretrainedConfig): Set<number> {
  const given = opts.eos_token_id !== undefined ? opts.eos_token_id : ((config.eos_token_id as number | number[] | null | undefined) ?? null);
  const list = given === null ? [] : Array.isArray(given) ? given : [given];
  for (const t of list) if (!Number.isInteger(t) || t < 0) fail(`eos_token_id must hold non-negative integers, got ${JSON.stringify(given)}`);
  return new Set(list);
}

/** Validates `opts` and fills transformers' defaults. */
export function resolveOptions(opts: GenerateOptions, config: PretrainedConfig): RowOptions {
  const max = opts.max_new_tokens ?? 20;
  if (!Number.isInteger(max) || max < 1) fail(`max_new_tokens must be a positive integer, got ${max}`);
  const doSample = opts.do_sample ?? false;
  const temperature = opts.temperature ?? 1;
  if (doSample && !(temperature > 0 && Number.isFinite(temperature))) {
    fail(`temperature must be a strictly positive number when do_sample is true, got ${temperature}${temperature === 0 ? "; for greedy decoding set do_sample: false" : ""}`);
  }
  const topK = opts.top_k ?? 50;
  if (!Number.isInteger(topK) || topK < 0) fail(`top_k must be a non-negative integer (0 turns it off), got ${topK}`);
  const topP = opts.top_p ?? 1;
  if (!(topP >= 0 && topP <= 1)) fail(`top_p must be in [0, 1], got ${topP}`);
  const minP = opts.min_p ?? null;
  if (minP !== null && !(minP >= 0 && minP <= 1)) fail(`min_p must be in [0, 1], got ${minP}`);
  const penalty = opts.repetition_penalty ?? 1;
  if (!(penalty > 0 && Number.isFinite(penalty))) fail(`repetition_penalty must be a strictly positive number, got ${penalty}`);
  const stop = opts.stop === undefined ? [] : Array.isArray(opts.stop) ? opts.stop : [opts.stop];
  if (stop.some((s) => typeof s !== "string" || s.length === 0)) fail(`stop must be a non-empty string or a list of them, got ${JSON.stringify(opts.stop)}`);
  if (stop.length && !opts.tokenizer) fail("stop strings need the tokenizer to read the generated text: pass { tokenizer }");
  return {
    max_new_tokens: max,
    do_sample: doSample,
    temperature,
    top_k: topK,
    top_p: topP,
    min_p: minP,
    repetition_penalty: penalty,
    eos: eosOf(opts, config),
    stop,
    tokenizer: opts.tokenizer ?? null,
  };
}

/** num_return_sequences, checked as transformers does: more than one needs sampling. */
export function returnSequences(opts: GenerateOptions): number {
  const n = opts.num_return_sequences ?? 1;
  if (!Number.isInteger(n) || n < 1) fail(`num_return_sequences must be a positive integer, got ${n}`);
  if (n > 1 && !opts.do_sample) fail(`num_return_sequences = ${n} needs do_sample: true (greedy decoding returns the same sequence every time)`);
  return n;
}

/**
 * One generator per row: with `seed`, row r's stream depends on (seed, r) only, so a seeded
 * call is reproducible and a row samples the same tokens alone or in any batch; without it
 * the seed comes from the global generator (manualSeed).
 */
export function rowGenerators(opts: GenerateOptions, rows: number): SeededRandom[] | null {
  if (!opts.do_sample) return null;
  if (opts.seed !== undefined && !(Number.isSafeInteger(opts.seed) && opts.seed >= 0)) fail(`seed must be a non-negative integer, got ${opts.seed}`);
  const base = opts.seed ?? nextKernelSeed();
  return Array.from({ length: rows }, (_, r) => new SeededRandom(mixSeed(base, r)));
}

/** A 32-bit seed from (seed, stream) that differs in every bit for neighbouring streams. */
export function mixSeed(seed: number, stream: number): number {
  let h = Math.imul((seed % 0x100000000) ^ Math.floor(seed / 0x100000000), 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The token finished rows are padded with. */
export function padTokenOf(opts: GenerateOptions, config: PretrainedConfig, eos: Set<number>): number {
  const pad = opts.pad_token_id !== undefined ? opts.pad_token_id : (config.pad_token_id as number | null | undefined);
  if (typeof pad === "number") return pad;
  return eos.size ? [...eos][0] : 0;
}
