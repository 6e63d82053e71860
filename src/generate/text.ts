/**
 * Text in, text out. For a causal LM the result is what follows the prompt (the text the
 * prompt's decode does not already cover, as transformers' text-generation pipeline
 * computes it with return_full_text=False); for an encoder-decoder model it is the
 * decoder's text. Stop tokens default to the tokenizer's EOS; `stop` strings cut the text
 * before them. Chat models take `messages` through the tokenizer's chat template.
 */
import type { PreTrainedTokenizer, ChatMessage } from "../data/tokenizer.js";
import { type GenerativeModel, generate, generateStream, unwrapForGeneration } from "./generate.js";
import type { GenerateOptions, FinishReason } from "./options.js";
import { TextStream } from "./text_stream.js";

export interface GeneratedText {
  /** The new tokens, without the stop token and padding after it. */
  token_ids: number[];
  text: string;
  /** "eos" when a stop token ended it, "stop" a stop string, "length" max_new_tokens. */
  finish_reason: FinishReason;
}

/** The options with the tokenizer's EOS as the stop token unless eos_token_id is given, and the tokenizer for stop strings. */
function textOptions(model: GenerativeModel, tokenizer: PreTrainedTokenizer, opts: GenerateOptions): GenerateOptions {
  const config = unwrapForGeneration(model).config;
  const eos = opts.eos_token_id !== undefined ? opts.eos_token_id : tokenizer.eos_token_id ?? (config.eos_token_id as number | number[] | null | undefined) ?? null;
  return { ...opts, eos_token_id: eos, tokenizer };
}

/** Continuations of several prompts (token ids, any lengths) in one batch; num_return_sequences per prompt, in order. */
export function generateTexts(model: GenerativeModel, tokenizer: PreTrainedTokenizer, prompts: number[][], opts: GenerateOptions = {}): GeneratedText[] {
  const o = textOptions(model, tokenizer, opts);
  const eos = new Set(o.eos_token_id === null || o.eos_token_id === undefined ? [] : Array.isArray(o.eos_token_id) ? o.eos_token_id : [o.eos_token_id]);
  const encoderDecoder = unwrapForGeneration(model).config.is_encoder_decoder === true;
  const n = o.num_return_sequences ?? 1;
  const seqs = generate(model, prompts, o);
  return seqs.map((seq, i) => {
    const prompt = prompts[Math.floor(i / n)];
    const fresh = seq.slice(encoderDecoder ? 1 : prompt.length);
    const text = new TextStream(tokenizer, encoderDecoder ? [] : prompt, o.stop === undefined ? [] : Array.isArray(o.stop) ? o.stop : [o.stop]);
    const ids: number[] = [];
    let finish: FinishReason = "length";
    for (const t of fresh) {
      if (eos.has(t)) {
        finish = "eos";
        break;
      }
      ids.push(t);
      text.push(t);
      if (text.stopped) {
        finish = "stop";
        break;
      }
    }
    return { token_ids: ids, text: text.text, finish_reason: finish };
  });
}

/** The continuation of one prompt (token ids). */
export function generateText(model: GenerativeModel, tokenizer: PreTrainedTokenizer, inputIds: number[], opts: GenerateOptions = {}): GeneratedText {
  return generateTexts(model, tokenizer, [inputIds], opts)[0];
}

/** Text deltas of one prompt as they are generated; the last chunk carries finish_reason. */
export async function* streamText(model: GenerativeModel, tokenizer: PreTrainedTokenizer, inputIds: number[], opts: GenerateOptions = {}): AsyncGenerator<{ text: string; finish_reason: FinishReason | null }> {
  for await (const chunk of generateStream(model, [inputIds], textOptions(model, tokenizer, opts))) {
    if (chunk.text || chunk.finish_reason) yield { text: chunk.text, finish_reason: chunk.finish_reason };
  }
}

/** The prompt ids of a chat: the tokenizer's chat template with the assistant's turn opened. */
export function chatPromptIds(tokenizer: PreTrainedTokenizer, messages: ChatMessage[]): number[] {
  return tokenizer.applyChatTemplate(messages, { add_generation_prompt: true, tokenize: true }) as number[];
}
