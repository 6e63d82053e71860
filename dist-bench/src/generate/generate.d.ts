import { PreTrainedModel, type IdsLike } from "../models/modeling_utils.js";
import { PeftModel } from "../peft/peft_model.js";
import { type GenerateOptions, type FinishReason } from "./options.js";
/** A model generate accepts: a transformers-style model, or a PeftModel with layer adapters (LoRA, IA3, ...). */
export type GenerativeModel = PreTrainedModel | PeftModel;
/** The model whose forward runs: a PeftModel's adapters sit inside its base model's layers. */
export declare function unwrapForGeneration(model: GenerativeModel): PreTrainedModel;
/**
 * Generates up to max_new_tokens tokens after each row of input_ids (a 1-D or 2-D tensor,
 * or arrays: rows may differ in length) and returns the full sequences, as transformers
 * does: for a causal LM the prompt then the new tokens; for an encoder-decoder model the
 * decoder's tokens, decoder_start_token_id first. Rows that finish early are padded with
 * pad_token_id (else the eos token) up to the longest. With num_return_sequences n, input
 * row i gives rows i*n ... i*n + n - 1.
 */
export declare function generate(model: GenerativeModel, inputIds: IdsLike, opts?: GenerateOptions): number[][];
/** One generated token of a streamed generation. */
export interface GenerationChunk {
    /** The output row (input row x num_return_sequences + k). */
    index: number;
    token_id: number;
    /** The text this token adds (needs `tokenizer`; empty while a character or a possible stop string is incomplete). */
    text: string;
    /** Set on a row's last token. */
    finish_reason: FinishReason | null;
}
/**
 * The tokens of generate(), yielded as they are chosen; the event loop runs between steps.
 * Breaking out of the loop stops the generation and frees its cache.
 */
export declare function generateStream(model: GenerativeModel, inputIds: IdsLike, opts?: GenerateOptions): AsyncGenerator<GenerationChunk>;
