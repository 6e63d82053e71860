/**
 * T5's layers as transformers' modeling_t5.py builds them: the RMS layer norm, unscaled
 * attention with a learned relative-position bias, the pre-norm self-attention,
 * cross-attention and feed-forward sublayers. Blocks, stacks and models are in modeling.ts.
 */
import { Tensor, tensor, scaledDotProductAttention, add, mul, cat } from "../../tensor/index.js";
import { Module, Linear, Embedding, RMSNorm, Dropout, getActivation, type Activation, type LinearLike, type EmbeddingLike } from "../../nn/index.js";
import { type PastKeyValues, expandBatch } from "../decoder_utils.js";
import { T5Config } from "./config.js";

/** T5's LayerNorm: scale only, no mean subtraction, no bias (an RMSNorm). */
export class T5LayerNorm extends RMSNorm {}

/**
 * transformers' _relative_position_bucket for relativePosition = key − query: half the
 * buckets for each sign when bidirectional; exact buckets up to maxExact, then logarithmic
 * up to maxDistance. The log path is computed in float32, as torch does.
 */
export function relativePositionBucket(relativePosition: number, bidirectional: boolean, numBuckets = 32, maxDistance = 128): number {
  const f = Math.fround;
  let bucket = 0;
  let n = numBuckets;
  let rel = relativePosition;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (rel > 0) bucket += n;
    rel = Math.abs(rel);
  } else {
    rel = -Math.min(rel, 0);
  }
  const maxExact = Math.floor(n / 2);
  if (rel < maxExact) return bucket + rel;
  const scaled = f(f(f(Math.log(f(rel / maxExact))) / f(Math.log(maxDistance / maxExact))) * (n - maxExact));
  return bucket + Math.min(maxExact + Math.trunc(scaled), n - 1);
}

/** Buckets (Tq, Tk) for queries at offset + [0, Tq) and keys at [0, Tk). */
export function relativePositionBuckets(Tq: number, Tk: number, bidirectional: boolean, numBuckets: number, maxDistance: number, offset = 0): Tensor {
  const out = new Int32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) {
    for (let j = 0; j < Tk; j++) out[i * Tk + j] = relativePositionBucket(j - (i + offset), bidirectional, numBuckets, maxDistance);
  }
  return tensor(out, { shape: [Tq, Tk] });
}

/**
 * One layer's cache. Self-attention: `past` keys/values are prepended to its own. Cross-
 * attention: `past` are the keys/values of the encoder output, computed once per request
 * and used as they are. Either pushes the keys/values it attended over onto `present`.
 */
export interface AttentionCache {
  past?: [Tensor, Tensor];
  present: PastKeyValues | null;
}

export class T5Attention extends Module {
  readonly q: LinearLike;
  readonly k: LinearLike;
  readonly v: LinearLike;
  readonly o: LinearLike;
  readonly relative_attention_bias: EmbeddingLike | null;

  constructor(readonly config: T5Config, readonly isDecoder: boolean, hasRelativeAttentionBias: boolean) {
    super();
    const { d_model, d_kv, num_heads } = config;
    const inner = num_heads * d_kv;
    const factor = config.initializer_factor;
    this.q = this.addModule("q", new Linear(d_model, inner, { bias: false, std: factor * (d_model * d_kv) ** -0.5 }));
    this.k = this.addModule("k", new Linear(d_model, inner, { bias: false, std: factor * d_model ** -0.5 }));
    this.v = this.addModule("v", new Linear(d_model, inner, { bias: false, std: factor * d_model ** -0.5 }));
    this.o = this.addModule("o", new Linear(inner, d_model, { bias: false, std: factor * inner ** -0.5 }));
    this.relative_attention_bias = hasRelativeAttentionBias
      ? this.addModule("relative_attention_bias", new Embedding(config.relative_attention_num_buckets, num_heads, null, factor * d_model ** -0.5))
      : null;
  }

  /**
   * The position bias (1, H, Tq, Tk): bidirectional in the encoder, causal in the decoder.
   * Queries are the last Tq of Tk positions (the first Tk − Tq keys are past keys), so query
   * i and key j are at absolute positions Tk − Tq + i and j, as transformers slices the bias
   * when given past_key_value.
   */
  computeBias(Tq: number, Tk: number): Tensor {
    if (!this.relative_attention_bias) throw new Error("[T5Attention] only the first block holds relative_attention_bias");
    const c = this.config;
    const buckets = relativePositionBuckets(Tq, Tk, !this.isDecoder, c.relative_attention_num_buckets, c.relative_attention_max_distance, Tk - Tq);
    return this.relative_attention_bias.forward(buckets).permute(2, 0, 1).unsqueeze(0);
  }

  private heads(x: Tensor): Tensor {
    const [B, T] = x.shape;
    return x.reshape(B, T, this.config.num_heads, this.config.d_kv).permute(0, 2, 1, 3);
  }

  /**
   * Self-attention when keyValueStates is null, cross-attention over it otherwise. T5 does
   * not scale q·k. Self-attention prepends `cache.past` (B or 1, H, P, D) to its keys/values;
   * cross-attention (`cross`) with `cache.past` uses those keys/values instead of projecting
   * keyValueStates. Both push the keys/values they attended over onto `cache.present`.
   */
  forward(hidden: Tensor, keyValueStates: Tensor | null, mask: Tensor | null, bias: Tensor | null, causal: boolean, cache?: AttentionCache, cross = false): Tensor {
    const [B, T] = hidden.shape;
    const q = this.heads(this.q.forward(hidden));
    let k: Tensor;
    let v: Tensor;
    if (cross && cache?.past) {
      [k, v] = cache.past;
    } else {
      const source = keyValueStates ?? hidden;
      k = this.heads(this.k.forward(source));
      v = this.heads(this.v.forward(source));
      if (cache?.past) {
        k = cat([expandBatch(cache.past[0], B), k], 2);
        v = cat([expandBatch(cache.past[1], B), v], 2);
      }
    }
    cache?.present?.push([k, v]);
    const dropoutP = this.training ? this.config.dropout_rate : 0;
    const attn = scaledDotProductAttention(q, k, v, { keyPaddingMask: mask, isCausal: causal, bias, scale: 1, dropoutP });
    return this.o.forward(attn.permute(0, 2, 1, 3).reshape(B, T, this.config.num_heads * this.config.d_kv));
  }
}

export class T5LayerSelfAttention extends Module {
  readonly SelfAttention: T5Attention;
  readonly layer_norm: T5LayerNorm;
  readonly dropout: Dropout;
  constructor(config: T5Config, isDecoder: boolean, hasRelativeAttentionBias: boolean) {
    super();
    this.SelfAttention = this.addModule("SelfAttention", new T5Attention(config, isDecoder, hasRelativeAttentionBias));
    this.layer_norm = this.addModule("layer_norm", new T5LayerNorm(config.d_model, config.layer_norm_epsilon));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout_rate));
  }
  forward(hidden: Tensor, mask: Tensor | null, bias: Tensor, causal: boolean, cache?: AttentionCache): Tensor {
    return add(hidden, this.dropout.forward(this.SelfAttention.forward(this.layer_norm.forward(hidden), null, mask, bias, causal, cache)));
  }
}

export class T5LayerCrossAttention extends Module {
  readonly EncDecAttention: T5Attention;
  readonly layer_norm: T5LayerNorm;
  readonly dropout: Dropout;
  constructor(config: T5Config) {
    super();
    this.EncDecAttention = this.addModule("EncDecAttention", new T5Attention(config, true, false));
    this.layer_norm = this.addModule("layer_norm", new T5LayerNorm(config.d_model, config.layer_norm_epsilon));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout_rate));
  }
  forward(hidden: Tensor, encoderHidden: Tensor | null, encoderMask: Tensor | null, cache?: AttentionCache): Tensor {
    if (!encoderHidden && !cache?.past) throw new Error("[T5 decoder] cross-attention needs the encoder output or its cached keys/values");
    return add(hidden, this.dropout.forward(this.EncDecAttention.forward(this.layer_norm.forward(hidden), encoderHidden, encoderMask, null, false, cache, true)));
  }
}

/** wo(dropout(act(wi(x)))): T5 v1.0's feed-forward. */
export class T5DenseActDense extends Module {
  readonly wi: LinearLike;
  readonly wo: LinearLike;
  readonly dropout: Dropout;
  private readonly act: Activation;
  constructor(config: T5Config) {
    super();
    const f = config.initializer_factor;
    this.wi = this.addModule("wi", new Linear(config.d_model, config.d_ff, { bias: false, std: f * config.d_model ** -0.5 }));
    this.wo = this.addModule("wo", new Linear(config.d_ff, config.d_model, { bias: false, std: f * config.d_ff ** -0.5 }));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout_rate));
    this.act = getActivation(config.denseActFn);
  }
  forward(x: Tensor): Tensor {
    return this.wo.forward(this.dropout.forward(this.act(this.wi.forward(x))));
  }
}

/** wo(dropout(act(wi_0(x)) · wi_1(x))): T5 v1.1's gated feed-forward. */
export class T5DenseGatedActDense extends Module {
  readonly wi_0: LinearLike;
  readonly wi_1: LinearLike;
  readonly wo: LinearLike;
  readonly dropout: Dropout;
  private readonly act: Activation;
  constructor(config: T5Config) {
    super();
    const f = config.initializer_factor;
    this.wi_0 = this.addModule("wi_0", new Linear(config.d_model, config.d_ff, { bias: false, std: f * config.d_model ** -0.5 }));
    this.wi_1 = this.addModule("wi_1", new Linear(config.d_model, config.d_ff, { bias: false, std: f * config.d_model ** -0.5 }));
    this.wo = this.addModule("wo", new Linear(config.d_ff, config.d_model, { bias: false, std: f * config.d_ff ** -0.5 }));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout_rate));
    this.act = getActivation(config.denseActFn);
  }
  forward(x: Tensor): Tensor {
    return this.wo.forward(this.dropout.forward(mul(this.act(this.wi_0.forward(x)), this.wi_1.forward(x))));
  }
}

export class T5LayerFF extends Module {
  readonly DenseReluDense: T5DenseActDense | T5DenseGatedActDense;
  readonly layer_norm: T5LayerNorm;
  readonly dropout: Dropout;
  constructor(config: T5Config) {
    super();
    this.DenseReluDense = this.addModule("DenseReluDense", config.isGatedAct ? new T5DenseGatedActDense(config) : new T5DenseActDense(config));
    this.layer_norm = this.addModule("layer_norm", new T5LayerNorm(config.d_model, config.layer_norm_epsilon));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout_rate));
  }
  forward(hidden: Tensor): Tensor {
    return add(hidden, this.dropout.forward(this.DenseReluDense.forward(this.layer_norm.forward(hidden))));
  }
}

