/**
 * T5's layers as transformers' modeling_t5.py builds them: the RMS layer norm, unscaled
 * attention with a learned relative-position bias, the pre-norm self-attention,
 * cross-attention and feed-forward sublayers. Blocks, stacks and models are in modeling.ts.
 */
import { Tensor } from "../../tensor/index.js";
import { Module, Linear, Embedding, RMSNorm, Dropout } from "../../nn/index.js";
import { type PastKeyValues } from "../decoder_utils.js";
import { T5Config } from "./config.js";
/** T5's LayerNorm: scale only, no mean subtraction, no bias (an RMSNorm). */
export declare class T5LayerNorm extends RMSNorm {
}
/**
 * transformers' _relative_position_bucket for relativePosition = key − query: half the
 * buckets for each sign when bidirectional; exact buckets up to maxExact, then logarithmic
 * up to maxDistance. The log path is computed in float32, as torch does.
 */
export declare function relativePositionBucket(relativePosition: number, bidirectional: boolean, numBuckets?: number, maxDistance?: number): number;
/** Buckets (Tq, Tk) for queries at offset + [0, Tq) and keys at [0, Tk). */
export declare function relativePositionBuckets(Tq: number, Tk: number, bidirectional: boolean, numBuckets: number, maxDistance: number, offset?: number): Tensor;
/**
 * One layer's cache. Self-attention: `past` keys/values are prepended to its own. Cross-
 * attention: `past` are the keys/values of the encoder output, computed once per request
 * and used as they are. Either pushes the keys/values it attended over onto `present`.
 */
export interface AttentionCache {
    past?: [Tensor, Tensor];
    present: PastKeyValues | null;
}
export declare class T5Attention extends Module {
    readonly config: T5Config;
    readonly isDecoder: boolean;
    readonly q: Linear;
    readonly k: Linear;
    readonly v: Linear;
    readonly o: Linear;
    readonly relative_attention_bias: Embedding | null;
    constructor(config: T5Config, isDecoder: boolean, hasRelativeAttentionBias: boolean);
    /**
     * The position bias (1, H, Tq, Tk): bidirectional in the encoder, causal in the decoder.
     * Queries are the last Tq of Tk positions (the first Tk − Tq keys are past keys), so query
     * i and key j are at absolute positions Tk − Tq + i and j, as transformers slices the bias
     * when given past_key_value.
     */
    computeBias(Tq: number, Tk: number): Tensor;
    private heads;
    /**
     * Self-attention when keyValueStates is null, cross-attention over it otherwise. T5 does
     * not scale q·k. Self-attention prepends `cache.past` (B or 1, H, P, D) to its keys/values;
     * cross-attention (`cross`) with `cache.past` uses those keys/values instead of projecting
     * keyValueStates. Both push the keys/values they attended over onto `cache.present`.
     */
    forward(hidden: Tensor, keyValueStates: Tensor | null, mask: Tensor | null, bias: Tensor | null, causal: boolean, cache?: AttentionCache, cross?: boolean): Tensor;
}
export declare class T5LayerSelfAttention extends Module {
    readonly SelfAttention: T5Attention;
    readonly layer_norm: T5LayerNorm;
    readonly dropout: Dropout;
    constructor(config: T5Config, isDecoder: boolean, hasRelativeAttentionBias: boolean);
    forward(hidden: Tensor, mask: Tensor | null, bias: Tensor, causal: boolean, cache?: AttentionCache): Tensor;
}
export declare class T5LayerCrossAttention extends Module {
    readonly EncDecAttention: T5Attention;
    readonly layer_norm: T5LayerNorm;
    readonly dropout: Dropout;
    constructor(config: T5Config);
    forward(hidden: Tensor, encoderHidden: Tensor | null, encoderMask: Tensor | null, cache?: AttentionCache): Tensor;
}
/** wo(dropout(act(wi(x)))): T5 v1.0's feed-forward. */
export declare class T5DenseActDense extends Module {
    readonly wi: Linear;
    readonly wo: Linear;
    readonly dropout: Dropout;
    private readonly act;
    constructor(config: T5Config);
    forward(x: Tensor): Tensor;
}
/** wo(dropout(act(wi_0(x)) · wi_1(x))): T5 v1.1's gated feed-forward. */
export declare class T5DenseGatedActDense extends Module {
    readonly wi_0: Linear;
    readonly wi_1: Linear;
    readonly wo: Linear;
    readonly dropout: Dropout;
    private readonly act;
    constructor(config: T5Config);
    forward(x: Tensor): Tensor;
}
export declare class T5LayerFF extends Module {
    readonly DenseReluDense: T5DenseActDense | T5DenseGatedActDense;
    readonly layer_norm: T5LayerNorm;
    readonly dropout: Dropout;
    constructor(config: T5Config);
    forward(hidden: Tensor): Tensor;
}
