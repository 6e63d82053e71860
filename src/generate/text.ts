/**
 * Text in, text out: greedy continuation of token ids, cut at the first stop token and
 * decoded. For a causal LM the result is what follows the prompt (the text the prompt's
 * decode does not already cover, as transformers' text-generation pipeline computes it
 * with return_full_text=False); for an encoder-decoder model it is the decoder's text.
 */
import type { PreTrainedModel } from "../models/modeling_utils.js";
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import { generate, type GenerateOptions } from "./greedy.js";

export interface GeneratedText {
  /** The new tokens, without the stop token and padding after it. */
  token_ids: number[];
  text: string;
  /** "eos" when a stop token ended it, "length" when max_new_tokens did. */
  finish_reason: "eos" | "length";
}

/** Greedy continuation of one input; stops at the tokenizer's EOS unless eos_token_id says otherwise. */
export function generateText(model: PreTrainedModel, tokenizer: PreTrainedTokenizer, inputIds: number[], opts: GenerateOptions = {}): GeneratedText {
  const eos = opts.eos_token_id !== undefined ? opts.eos_token_id : tokenizer.eos_token_id ?? (model.config.eos_token_id as number | number[] | null | undefined) ?? null;
  const stops = new Set(eos === null ? [] : Array.isArray(eos) ? eos : [eos]);
  const seq = generate(model, [inputIds], { ...opts, eos_token_id: eos })[0];
  const encoderDecoder = model.config.is_encoder_decoder === true;
  // The decoder's sequence starts with decoder_start_token_id; a causal LM's with the prompt.
  const fresh = seq.slice(encoderDecoder ? 1 : inputIds.length);
  const stop = fresh.findIndex((t) => stops.has(t));
  const token_ids = stop < 0 ? fresh : fresh.slice(0, stop);
  const finish_reason = stop < 0 ? "length" : "eos";
  if (encoderDecoder) return { token_ids, text: tokenizer.decode(token_ids, { skip_special_tokens: true }), finish_reason };
  const prompt = tokenizer.decode(inputIds, { skip_special_tokens: true });
  const full = tokenizer.decode([...inputIds, ...token_ids], { skip_special_tokens: true });
  const text = full.startsWith(prompt) ? full.slice(prompt.length) : tokenizer.decode(token_ids, { skip_special_tokens: true });
  return { token_ids, text, finish_reason };
}
