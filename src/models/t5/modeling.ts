/**
 * T5 as transformers' modeling_t5.py builds it: RMS layer norms without bias, unscaled
 * attention with a learned relative-position bias (computed once, in block 0, and shared by
 * every block of the stack), pre-norm residual sublayers, and an encoder-decoder with
 * shared embeddings. T5ForConditionalGeneration rescales the decoder output by d_model^-0.5
 * before a tied lm_head, as transformers does. The layers are in layers.ts.
 *
 * The decoder's self-attention takes past_key_values (per decoder layer [key, value], each
 * (B or 1, H, P, D)): prefix tuning's prompts or a KV cache. As in transformers, only the
 * decoder's self-attention reads them. With use_cache the decoder also returns
 * cross_attention_cache, the cross-attention keys/values of the encoder output, which later
 * steps pass back instead of the encoder output (transformers' EncoderDecoderCache).
 */
import { Tensor, tensor, mul, crossEntropy } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, Dropout, type LinearLike, type EmbeddingLike } from "../../nn/index.js";
import { PreTrainedModel, type LoadReport, type ModelInputs, type IdsLike, toIds, toFloat, type TaskKind } from "../modeling_utils.js";
import { type PastKeyValues, type DecoderInputs, type DecoderOutput, checkpointLayer, keyPaddingMask, pastLength } from "../decoder_utils.js";
import { T5Config } from "./config.js";
import { T5LayerNorm, T5Attention, T5LayerSelfAttention, T5LayerCrossAttention, T5LayerFF, type AttentionCache } from "./layers.js";

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

  forward(
    hidden: Tensor, bias: Tensor, mask: Tensor | null, encoderHidden: Tensor | null, encoderMask: Tensor | null,
    past?: [Tensor, Tensor], present: PastKeyValues | null = null, cross?: AttentionCache,
  ): Tensor {
    let h = this.selfAttn.forward(hidden, mask, bias, this.isDecoder, { past, present });
    if (this.crossAttn) h = this.crossAttn.forward(h, encoderHidden, encoderMask, cross);
    return this.ff.forward(h);
  }
}

/** What one stack reads: token ids or embeddings (B, T), masks, and (decoder) past keys. */
export interface T5StackInputs {
  ids?: Tensor | null;
  embeds?: Tensor | null;
  /** Key padding mask (B, T), or (B, P + T) covering the past keys too. */
  attentionMask?: IdsLike;
  encoderHidden?: Tensor | null;
  encoderMask?: Tensor | null;
  past?: PastKeyValues;
  /** Decoder: cross-attention [key, value] per block, from an earlier step's crossPresent. */
  crossPast?: PastKeyValues;
  /** Return every block's self-attention [key, value] (past + new), and the cross-attention ones. */
  useCache?: boolean;
}

export class T5Stack extends Module {
  readonly block: ModuleList<T5Block>;
  readonly final_layer_norm: T5LayerNorm;
  readonly dropout: Dropout;
  /** Recompute each block in backward (set through the model's gradientCheckpointing). */
  gradientCheckpointing = false;

  constructor(readonly config: T5Config, public embed_tokens: Embedding, readonly isDecoder: boolean) {
    super();
    this.addModule("embed_tokens", embed_tokens);
    const n = isDecoder ? config.num_decoder_layers : config.num_layers;
    this.block = this.addModule("block", new ModuleList(Array.from({ length: n }, (_, i) => new T5Block(config, isDecoder, i === 0))));
    this.final_layer_norm = this.addModule("final_layer_norm", new T5LayerNorm(config.d_model, config.layer_norm_epsilon));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout_rate));
  }

  forward(inputs: T5StackInputs): { hidden: Tensor; present: PastKeyValues | null; crossPresent: PastKeyValues | null } {
    const where = this.isDecoder ? "T5 decoder" : "T5 encoder";
    const x = inputs.embeds ?? (inputs.ids ? this.embed_tokens.forward(inputs.ids) : null);
    if (!x) throw new Error(`[${where}] pass input ids or embeddings`);
    const [B, T] = x.shape;
    const past = inputs.past;
    if (past && !this.isDecoder) throw new Error("[T5 encoder] past_key_values apply to the decoder's self-attention only");
    if (past && past.length !== this.block.length) {
      throw new RangeError(`[${where}] past_key_values has ${past.length} layers but the decoder has num_decoder_layers = ${this.block.length}`);
    }
    const P = pastLength(past);
    const mask = keyPaddingMask(inputs.attentionMask, B, T, P, where);
    const encoderHidden = inputs.encoderHidden ?? null;
    const encoderMask = inputs.encoderMask ?? null;
    const present: PastKeyValues | null = inputs.useCache ? [] : null;
    const crossPresent: PastKeyValues | null = inputs.useCache && this.isDecoder ? [] : null;
    if (inputs.crossPast && inputs.crossPast.length !== this.block.length) {
      throw new RangeError(`[${where}] cross_attention_cache has ${inputs.crossPast.length} layers but the decoder has num_decoder_layers = ${this.block.length}`);
    }
    let hidden = this.dropout.forward(x);
    const bias = this.block.at(0).relativeAttention.computeBias(T, P + T);
    this.block.items.forEach((block, i) => {
      const p = past?.[i];
      if (this.gradientCheckpointing && this.training && !present) {
        const nEnc = encoderHidden ? 1 : 0;
        const run = (h: Tensor, b: Tensor, ...rest: Tensor[]) =>
          block.forward(h, b, mask, nEnc ? rest[0] : null, encoderMask, rest.length > nEnc ? [rest[nEnc], rest[nEnc + 1]] : undefined);
        hidden = checkpointLayer(run, [hidden, bias, ...(encoderHidden ? [encoderHidden] : []), ...(p ?? [])]);
      } else {
        hidden = block.forward(hidden, bias, mask, encoderHidden, encoderMask, p, present, { past: inputs.crossPast?.[i], present: crossPresent });
      }
    });
    return { hidden: this.dropout.forward(this.final_layer_norm.forward(hidden)), present, crossPresent };
  }
}

/** Inputs of the encoder-decoder models: encoder_outputs skips the encoder (generation runs it once). */
export interface T5Inputs extends Omit<DecoderInputs, "past_key_values"> {
  /** Per decoder layer the self-attention [key, value] (B, H, P, D) before the new tokens (a KVCache is not taken). */
  past_key_values?: PastKeyValues;
  /** The encoder's last hidden state (B, T, d_model), computed once by `encode`. */
  encoder_outputs?: Tensor;
  /** Per decoder layer the cross-attention [key, value] a use_cache forward returned: neither encoder nor encoder_outputs are needed then. */
  cross_attention_cache?: PastKeyValues;
}

/** With use_cache, the decoder's cross-attention keys/values besides its self-attention cache. */
export interface T5Output extends DecoderOutput {
  cross_attention_cache?: PastKeyValues;
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

/** Registers `shared`, `encoder` and `decoder` (each stack with its own embedding, tied by tieWeights). */
function addEncoderDecoder(model: T5PreTrainedModel, config: T5Config): { shared: Embedding; encoder: T5Stack; decoder: T5Stack } {
  const f = config.initializer_factor;
  const embedding = () => new Embedding(config.vocab_size, config.d_model, null, f);
  return {
    shared: model.addModule("shared", embedding()),
    encoder: model.addModule("encoder", new T5Stack(config, embedding(), false)),
    decoder: model.addModule("decoder", new T5Stack(config, embedding(), true)),
  };
}

/** Runs the encoder on input_ids or inputs_embeds. */
function runEncoder(encoder: T5Stack, inputs: ModelInputs, where: string): Tensor {
  const ids = inputs.input_ids !== undefined ? toIds(inputs.input_ids) : null;
  if (!ids && !inputs.inputs_embeds) throw new Error(`[${where}] pass input_ids or inputs_embeds`);
  return encoder.forward({ ids, embeds: inputs.inputs_embeds ?? null, attentionMask: inputs.attention_mask }).hidden;
}

/** Runs the decoder over the encoder's output (or its cached cross keys/values), with past_key_values / use_cache. */
function runDecoder(decoder: T5Stack, decIds: Tensor, encoderHidden: Tensor | null, inputs: T5Inputs) {
  return decoder.forward({
    ids: decIds,
    attentionMask: inputs.decoder_attention_mask,
    encoderHidden,
    encoderMask: optionalMask(inputs.attention_mask),
    past: inputs.past_key_values,
    crossPast: inputs.cross_attention_cache,
    useCache: inputs.use_cache,
  });
}

/** The encoder's output: given, not needed (cached cross keys/values), or computed now. */
function encoderOutput(model: { encode(i: ModelInputs): Tensor }, inputs: T5Inputs): Tensor | null {
  if (inputs.encoder_outputs) return inputs.encoder_outputs;
  return inputs.cross_attention_cache ? null : model.encode(inputs);
}

function withCaches(out: T5Output, present: PastKeyValues | null, crossPresent: PastKeyValues | null): T5Output {
  if (present) out.past_key_values = present;
  if (crossPresent) out.cross_attention_cache = crossPresent;
  return out;
}

/**
 * The bare encoder-decoder (transformers' T5Model): last_hidden_state is the decoder's
 * output (B, T_dec, d_model), also given as `logits`; encoder_last_hidden_state the encoder's.
 */
export class T5Model extends T5PreTrainedModel {
  static override readonly architecture: string = "T5Model";
  static override readonly taskKind: TaskKind = "base";
  readonly shared: EmbeddingLike;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;

  constructor(config: T5Config) {
    super(config);
    ({ shared: this.shared, encoder: this.encoder, decoder: this.decoder } = addEncoderDecoder(this, config));
    this.tieWeights();
  }

  override tieWeights(): void {
    this.encoder.embed_tokens.setParameter("weight", this.shared.param("weight"));
    this.decoder.embed_tokens.setParameter("weight", this.shared.param("weight"));
  }

  /** The encoder's last hidden state (B, T, d_model). */
  encode(inputs: ModelInputs): Tensor {
    return runEncoder(this.encoder, inputs, "T5Model");
  }

  override forward(inputs: T5Inputs): T5Output {
    if (inputs.decoder_input_ids === undefined) {
      throw new Error("[T5Model] pass decoder_input_ids (T5Model has no labels to shift right; use T5ForConditionalGeneration to train on labels)");
    }
    const encoderHidden = encoderOutput(this, inputs);
    const { hidden, present, crossPresent } = runDecoder(this.decoder, toIds(inputs.decoder_input_ids, "decoder_input_ids"), encoderHidden, inputs);
    const out: T5Output = { logits: hidden, last_hidden_state: hidden };
    if (encoderHidden) out.encoder_last_hidden_state = encoderHidden;
    return withCaches(out, present, crossPresent);
  }
}

export class T5ForConditionalGeneration extends T5PreTrainedModel {
  static override readonly architecture: string = "T5ForConditionalGeneration";
  static override readonly taskKind: TaskKind = "seq2seq-lm";
  readonly shared: EmbeddingLike;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;
  readonly lm_head: LinearLike;

  constructor(config: T5Config) {
    super(config);
    ({ shared: this.shared, encoder: this.encoder, decoder: this.decoder } = addEncoderDecoder(this, config));
    const f = config.initializer_factor;
    this.lm_head = this.addModule("lm_head", new Linear(config.d_model, config.vocab_size, { bias: false, std: f }));
    this.tieWeights();
  }

  /** encoder/decoder embed_tokens share `shared`; lm_head too when tie_word_embeddings. */
  override tieWeights(): void {
    this.encoder.embed_tokens.setParameter("weight", this.shared.param("weight"));
    this.decoder.embed_tokens.setParameter("weight", this.shared.param("weight"));
    if (this.config.tie_word_embeddings) this.lm_head.setParameter("weight", this.shared.param("weight"));
  }

  /** The encoder's last hidden state (B, T, d_model). */
  encode(inputs: ModelInputs): Tensor {
    return runEncoder(this.encoder, inputs, "T5ForConditionalGeneration");
  }

  override forward(inputs: T5Inputs): T5Output {
    const encoderHidden = encoderOutput(this, inputs);
    const labels = inputs.labels !== undefined ? toIds(inputs.labels, "labels") : null;
    let decIds: Tensor | null = inputs.decoder_input_ids !== undefined ? toIds(inputs.decoder_input_ids, "decoder_input_ids") : null;
    if (!decIds) {
      if (!labels) throw new Error("[T5ForConditionalGeneration] pass decoder_input_ids or labels (decoder inputs are labels shifted right)");
      decIds = shiftRight(labels, this.config.decoder_start_token_id, (this.config.pad_token_id as number | null) ?? 0);
    }
    const { hidden, present, crossPresent } = runDecoder(this.decoder, decIds, encoderHidden, inputs);
    // Tied weights: rescale before projecting onto the embedding matrix (Mesh TensorFlow's convention).
    const logits = this.lm_head.forward(this.config.tie_word_embeddings ? mul(hidden, this.config.d_model ** -0.5) : hidden);
    const out: T5Output = { logits, last_hidden_state: hidden };
    if (encoderHidden) out.encoder_last_hidden_state = encoderHidden;
    withCaches(out, present, crossPresent);
    if (labels) {
      const V = logits.shape[2];
      out.loss = crossEntropy(logits.reshape(-1, V), labels.reshape(-1), { ignore_index: -100 });
    }
    return out;
  }
}

/** The encoder alone (sentence embeddings, encoder-only fine-tuning). */
export class T5EncoderModel extends T5PreTrainedModel {
  static override readonly architecture: string = "T5EncoderModel";
  static override readonly taskKind: TaskKind = "base";
  readonly shared: EmbeddingLike;
  readonly encoder: T5Stack;

  constructor(config: T5Config) {
    super(config);
    this.shared = this.addModule("shared", new Embedding(config.vocab_size, config.d_model, null, config.initializer_factor));
    this.encoder = this.addModule("encoder", new T5Stack(config, new Embedding(config.vocab_size, config.d_model, null, config.initializer_factor), false));
    this.tieWeights();
  }

  override tieWeights(): void {
    this.encoder.embed_tokens.setParameter("weight", this.shared.param("weight"));
  }

  override forward(inputs: ModelInputs): DecoderOutput {
    const hidden = runEncoder(this.encoder, inputs, "T5EncoderModel");
    return { logits: hidden, last_hidden_state: hidden };
  }
}
