/**
 * What the decoder-only families (GPT-2, Llama and its variants) share: position ids after a
 * prefix, the attention mask widened over past keys, the shifted causal-LM loss, and the
 * sequence-classification head's pooling (transformers' own rules for each).
 */
import { Tensor } from "../tensor/index.js";
import { type IdsLike, type ModelInputs, type ModelOutput } from "./modeling_utils.js";
/** Per layer [key, value], each (B, Hkv, P, D): prefix tuning's prompts, or a KV cache. */
export type PastKeyValues = [Tensor, Tensor][];
export interface DecoderInputs extends ModelInputs {
    /** Return every layer's [key, value] (past + new) for incremental decoding. */
    use_cache?: boolean;
}
/** Model outputs with the keys/values each layer attended over (a KV cache when use_cache). */
export interface DecoderOutput extends ModelOutput {
    past_key_values?: PastKeyValues;
}
/** Past keys/values (1 or B, Hkv, P, D) expanded to the batch, as PEFT repeats prompts per row. */
export declare function expandBatch(t: Tensor, B: number): Tensor;
/** The number of positions already held by past_key_values (0 without). */
export declare function pastLength(past: PastKeyValues | undefined): number;
/** Position ids arange(pastLen, pastLen + L) for every row (HF forward semantics, no mask correction). */
export declare function defaultPositionIds(B: number, L: number, pastLen: number): Tensor;
/**
 * The key padding mask (B, pastLen + L) as 0/1 float32: the given mask when it already covers
 * the past keys, ones prepended for a mask over the new tokens only, null when all attend.
 */
export declare function keyPaddingMask(mask: IdsLike | undefined, B: number, L: number, pastLen: number, where: string): Tensor | null;
/**
 * Causal-LM loss: logit t predicts label t + 1 (labels are NOT pre-shifted), -100 ignored,
 * mean over every non-ignored target of the batch.
 */
export declare function causalLmLoss(logits: Tensor, labels: IdsLike): Tensor;
/**
 * Index of the token each row is classified from: the last token that is not pad_token_id
 * (transformers >= 4.48, which also handles left padding), or the last position when the
 * config has no pad token (then only batch size 1 is allowed, as in transformers).
 */
export declare function lastTokenIndices(inputIds: Tensor | null, B: number, L: number, padTokenId: number | null | undefined, where: string): number[];
/** Picks hidden (B, L, C) at one position per row → (B, C), differentiably. */
export declare function poolRows(hidden: Tensor, indices: number[]): Tensor;
/** Runs one layer under gradient checkpointing (see nn/checkpoint.ts) with several inputs. */
export declare function checkpointLayer(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]): Tensor;
