/**
 * Text in, text out. For a causal LM the result is what follows the prompt (the text the
 * prompt's decode does not already cover, as transformers' text-generation pipeline
 * computes it with return_full_text=False); for an encoder-decoder model it is the
 * decoder's text. Stop tokens default to the tokenizer's EOS; `stop` strings cut the text
 * before them. Chat models take `messages` through the tokenizer's chat template.
 */
import type { PreTrainedTokenizer, ChatMessage } from "../data/tokenizer.js";
import { type GenerativeModel } from "./generate.js";
import type { GenerateOptions, FinishReason } from "./options.js";
export interface GeneratedText {
    /** The new tokens, without the stop token and padding after it. */
    token_ids: number[];
    text: string;
    /** "eos" when a stop token ended it, "stop" a stop string, "length" max_new_tokens. */
    finish_reason: FinishReason;
}
/** Continuations of several prompts (token ids, any lengths) in one batch; num_return_sequences per prompt, in order. */
export declare function generateTexts(model: GenerativeModel, tokenizer: PreTrainedTokenizer, prompts: number[][], opts?: GenerateOptions): GeneratedText[];
/** The continuation of one prompt (token ids). */
export declare function generateText(model: GenerativeModel, tokenizer: PreTrainedTokenizer, inputIds: number[], opts?: GenerateOptions): GeneratedText;
/** Text deltas of one prompt as they are generated; the last chunk carries finish_reason. */
export declare function streamText(model: GenerativeModel, tokenizer: PreTrainedTokenizer, inputIds: number[], opts?: GenerateOptions): AsyncGenerator<{
    text: string;
    finish_reason: FinishReason | null;
}>;
/** The prompt ids of a chat: the tokenizer's chat template with the assistant's turn opened. */
export declare function chatPromptIds(tokenizer: PreTrainedTokenizer, messages: ChatMessage[]): number[];
