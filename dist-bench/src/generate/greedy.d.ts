import type { PreTrainedModel, IdsLike } from "../models/modeling_utils.js";
export interface GenerateOptions {
    max_new_tokens?: number;
    /** Stop a row once it emits this token (or any of these). */
    eos_token_id?: number | number[] | null;
    /** Only false (greedy) is supported for now. */
    do_sample?: boolean;
    /** Reuse keys/values between steps (default true); false recomputes the full sequence. */
    use_cache?: boolean;
}
/**
 * Appends up to max_new_tokens greedy tokens to each row of inputIds (rows of equal length,
 * no padding) and returns the full sequences, prompt included. A finished row (eos emitted)
 * is padded with eos afterwards, as transformers pads with pad_token_id. For an
 * encoder-decoder model inputIds are the encoder's input and the result is the decoder's
 * sequences, decoder_start_token_id first, as transformers returns them.
 */
export declare function generate(model: PreTrainedModel, inputIds: IdsLike, opts?: GenerateOptions): number[][];
