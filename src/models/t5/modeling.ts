/**
 * T5 as transformers' modeling_t5.py builds it: RMS layer norms without bias, unscaled
 * attention with a learned relative-position bias (computed once, in block 0, and shared by
 * every block of the stack), pre-norm residual sublayers, and an encoder-decoder with
 * shared embeddings. T5ForConditionalGeneration rescales the decoder output by d_model^-0.5
 * before a tied lm_head, as transformers does.
 */
import { Tensor, tensor, scaledDotProductAttention, add, mul, crossEntropy } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, RMSNorm, Dropout, getActivation, type Activation } from "../../nn/index.js";
import { PreTrainedModel, type LoadReport, type ModelInputs, type ModelOutput, type IdsLike, toIds, toFloat } from "../modeling_utils.js";
import { T5Config } from "./config.js";
import { checkpointLayer } from "../decoder_utils.js";

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

export class T5Attention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  readonly relative_attention_bias: Embedding | null;

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

  /** The position bias (1, H, Tq, Tk): bidirectional in the encoder, causal in the decoder. */
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

  /** Self-attention when keyValueStates is null, cross-attention over it otherwise. T5 does not scale q·k. */
  forward(hidden: Tensor, keyValueStates: Tensor | null, mask: Tensor | null, bias: Tensor | null, causal: boolean): Tensor {
    const [B, T] = hidden.shape;
    const source = keyValueStates ?? hidden;
    const q = this.heads(this.q.forward(hidden));
    const k = this.heads(this.k.forward(source));
    const v = this.heads(this.v.forward(source));
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
  forward(hidden: Tensor, mask: Tensor | null, bias: Tensor, causal: boolean): Tensor {
    return add(hidden, this.dropout.forward(this.SelfAttention.forward(this.layer_norm.forward(hidden), null, mask, bias, causal)));
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
  forward(hidden: Tensor, encoderHidden: Tensor, encoderMask: Tensor | null): Tensor {
    return add(hidden, this.dropout.forward(this.EncDecAttention.forward(this.layer_norm.forward(hidden), encoderHidden, encoderMask, null, false)));
  }
}

/** wo(dropout(act(wi(x)))): T5 v1.0's feed-forward. */
export class T5DenseActDense extends Module {
  readonly wi: Linear;
  readonly wo: Linear;
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
  readonly wi_0: Linear;
  readonly wi_1: Linear;
  readonly wo: Linear;
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

/** layer.0 self-attention, (decoder) layer.1 cross-attention, then the feed-forward. */
export class T5Block extends Module {
  readonly layer: ModuleList;
  private readonly selfAttn: T5LayerSelfAttention;
  private readonly crossAttn: T5LayerCrossAttention | null;
  private readonly ff: T5LayerFF;

  constructor(config: T5Config, readonly isDecoder: boolean, hasRelativeAttentionBias: boolean) {
    super();
    this.selfAttn = new T5LayerSelfAttention(config, isDecoder, hasRelativeAttentionBias);
    this.crossAttn = isDecoder ? new T5LayerCrossAttention(config) : null;
    this.ff = new T5LayerFF(config);
    this.layer = this.addModule("layer", new ModuleList<Module>([this.selfAttn, ...(this.crossAttn ? [this.crossAttn] : []), this.ff]));
  }

  get relativeAttention(): T5Attention {
    return this.selfAttn.SelfAttention;
  }

  forward(hidden: Tensor, bias: Tensor, mask: Tensor | null, encoderHidden: Tensor | null, encoderMask: Tensor | null): Tensor {
    let h = this.selfAttn.forward(hidden, mask, bias, this.isDecoder);
    if (this.crossAttn) h = this.crossAttn.forward(h, encoderHidden!, encoderMask);
    return this.ff.forward(h);
  }
}

export class T5Stack extends Module {
  readonly block: ModuleList<T5Block>;
  readonly final_layer_norm: T5LayerNorm;
  readonly dropout: Dropout;
  gradientCheckpointing = false;

  constructor(readonly config: T5Config, public embed_tokens: Embedding, readonly isDecoder: boolean) {
    super();
    this.addModule("embed_tokens", embed_tokens);
    const n = isDecoder ? config.num_decoder_layers : config.num_layers;
    this.block = this.addModule("block", new ModuleList(Array.from({ length: n }, (_, i) => new T5Block(config, isDecoder, i === 0))));
    this.final_layer_norm = this.addModule("final_layer_norm", new T5LayerNorm(config.d_model, config.layer_norm_epsilon));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout_rate));
  }

  forward(ids: Tensor | null, embeds: Tensor | null, mask: Tensor | null, encoderHidden: Tensor | null = null, encoderMask: Tensor | null = null): Tensor {
    const x = embeds ?? this.embed_tokens.forward(ids!);
    const [, T] = x.shape;
    let hidden = this.dropout.forward(x);
    const bias = this.block.at(0).relativeAttention.computeBias(T, T);
    for (const block of this.block) {
      if (this.gradientCheckpointing && this.training) {
        const run = (h: Tensor, b: Tensor, ...enc: Tensor[]) => block.forward(h, b, mask, enc[0] ?? null, encoderMask);
        hidden = checkpointLayer(run, [hidden, bias, ...(encoderHidden ? [encoderHidden] : [])]);
      } else {
        hidden = block.forward(hidden, bias, mask, encoderHidden, encoderMask);
      }
    }
    return this.dropout.forward(this.final_layer_norm.forward(hidden));
  }
}

export class T5PreTrainedModel extends PreTrainedModel {
  static override configClass = T5Config;
  static override baseModelPrefix = "transformer";
  static override ignoreMissing = [/^(encoder|decoder)\.embed_tokens\.weight$/, /^lm_head\.weight$/];
  // Some checkpoints hold a cross-attention bias transformers never uses.
  static override ignoreUnexpected = [/^decoder\.block\.0\.layer\.1\.EncDecAttention\.relative_attention_bias\.weight$/];
  declare readonly config: T5Config;

  /** An untied lm_head (T5 v1.1) missing from the checkpoint is reported as newly initialised. */
  override loadPretrainedTensors(tensors: Map<string, Tensor>, source: string, quiet = false): LoadReport {
    const report = super.loadPretrainedTensors(tensors, source, quiet);
    if (!this.config.tie_word_embeddings && this.child("lm_head") && report.missingKeys.includes("lm_head.weight")) {
      report.newlyInitialized.push("lm_head.weight");
      if (!quiet) console.warn(`Some weights of ${this.constructor.name} were not initialized from the model checkpoint at ${source} and are newly initialized: [lm_head.weight]`);
    }
    return report;
  }
}

/** A (B, T) 0/1 mask, or null when absent or all ones. */
function optionalMask(mask: IdsLike | undefined): Tensor | null {
  if (mask === undefined || mask === null) return null;
  const m = toFloat(mask);
  return m.toFloat32Array().every((v) => v !== 0) ? null : m;
}

/** labels shifted right behind decoder_start_token_id, with -100 replaced by pad_token_id. */
export function shiftRight(labels: Tensor, decoderStartTokenId: number, padTokenId: number): Tensor {
  const [B, T] = labels.shape;
  const src = labels.contiguousCopy().i32();
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    out[b * T] = decoderStartTokenId;
    for (let t = 1; t < T; t++) {
      const v = src[b * T + t - 1];
      out[b * T + t] = v === -100 ? padTokenId : v;
    }
  }
  return tensor(out, { shape: [B, T] });
}

export class T5ForConditionalGeneration extends T5PreTrainedModel {
  readonly shared: Embedding;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;
  readonly lm_head: Linear;

  constructor(config: T5Config) {
    super(config);
    const f = config.initializer_factor;
    this.shared = this.addModule("shared", new Embedding(config.vocab_size, config.d_model, null, f));
    this.encoder = this.addModule("encoder", new T5Stack(config, new Embedding(config.vocab_size, config.d_model, null, f), false));
    this.decoder = this.addModule("decoder", new T5Stack(config, new Embedding(config.vocab_size, config.d_model, null, f), true));
    this.lm_head = this.addModule("lm_head", new Linear(config.d_model, config.vocab_size, { bias: false, std: f }));
    this.tieWeights();
  }

  /** encoder/decoder embed_tokens share `shared`; lm_head too when tie_word_embeddings. */
  override tieWeights(): void {
    this.encoder.embed_tokens.setParameter("weight", this.shared.weight);
    this.decoder.embed_tokens.setParameter("weight", this.shared.weight);
    if (this.config.tie_word_embeddings) this.lm_head.setParameter("weight", this.shared.weight);
  }

  /** The encoder's last hidden state (B, T, d_model). */
  encode(inputs: ModelInputs): Tensor {
    const ids = inputs.input_ids !== undefined ? toIds(inputs.input_ids) : null;
    if (!ids && !inputs.inputs_embeds) throw new Error("[T5ForConditionalGeneration] pass input_ids or inputs_embeds");
    this.encoder.gradientCheckpointing = this.gradientCheckpointing;
    return this.encoder.forward(ids, inputs.inputs_embeds ?? null, optionalMask(inputs.attention_mask));
  }

  override forward(inputs: ModelInputs & { encoder_outputs?: Tensor }): ModelOutput {
    const encoderHidden = inputs.encoder_outputs ?? this.encode(inputs);
    const labels = inputs.labels !== undefined ? toIds(inputs.labels, "labels") : null;
    let decIds: Tensor | null = inputs.decoder_input_ids !== undefined ? toIds(inputs.decoder_input_ids, "decoder_input_ids") : null;
    if (!decIds) {
      if (!labels) throw new Error("[T5ForConditionalGeneration] pass decoder_input_ids or labels (decoder inputs are labels shifted right)");
      decIds = shiftRight(labels, this.config.decoder_start_token_id, (this.config.pad_token_id as number | null) ?? 0);
    }
    this.decoder.gradientCheckpointing = this.gradientCheckpointing;
    const hidden = this.decoder.forward(decIds, null, optionalMask(inputs.decoder_attention_mask), encoderHidden, optionalMask(inputs.attention_mask));
    // Tied weights: rescale before projecting onto the embedding matrix (Mesh TensorFlow's convention).
    const logits = this.lm_head.forward(this.config.tie_word_embeddings ? mul(hidden, this.config.d_model ** -0.5) : hidden);
    const out: ModelOutput = { logits, last_hidden_state: hidden, encoder_last_hidden_state: encoderHidden };
    if (labels) {
      const V = logits.shape[2];
      out.loss = crossEntropy(logits.reshape(-1, V), labels.reshape(-1), { ignore_index: -100 });
    }
    return out;
  }
}

/** The encoder alone (sentence embeddings, encoder-only fine-tuning). */
export class T5EncoderModel extends T5PreTrainedModel {
  readonly shared: Embedding;
  readonly encoder: T5Stack;

  constructor(config: T5Config) {
    super(config);
    this.shared = this.addModule("shared", new Embedding(config.vocab_size, config.d_model, null, config.initializer_factor));
    this.encoder = this.addModule("encoder", new T5Stack(config, new Embedding(config.vocab_size, config.d_model, null, config.initializer_factor), false));
    this.tieWeights();
  }

  override tieWeights(): void {
    this.encoder.embed_tokens.setParameter("weight", this.shared.weight);
  }

  override forward(inputs: ModelInputs): ModelOutput {
    const ids = inputs.input_ids !== undefined ? toIds(inputs.input_ids) : null;
    this.encoder.gradientCheckpointing = this.gradientCheckpointing;
    const hidden = this.encoder.forward(ids, inputs.inputs_embeds ?? null, optionalMask(inputs.attention_mask));
    return { logits: hidden, last_hidden_state: hidden };
  }
}
