/**
 * BERT, read top to bottom as transformers' modeling_bert.py: embeddings, self-attention,
 * the post-attention and feed-forward sublayers, the encoder, the pooler, BertModel. Module
 * names are the checkpoint keys (`encoder.layer.0.attention.self.query.weight`), LayerNorm
 * included. Task heads live in heads.ts; RoBERTa reuses everything here but the embeddings.
 *
 * past_key_values (per layer [key, value], each (1 or B, H, P, D)) are prepended to every
 * layer's keys and values, as transformers' BertSelfAttention does (prefix tuning): the
 * attention mask may cover the P past positions or the new tokens only (ones are prepended),
 * and default position ids start at P, as BertEmbeddings' past_key_values_length does.
 */
import { type Tensor, add, arange, cat, reshape, permute, scaledDotProductAttention, select, tanh, zeros } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, LayerNorm, Dropout, getActivation, checkpoint, type Activation, type LinearLike, type EmbeddingLike } from "../../nn/index.js";
import { PreTrainedModel, type ModelInputs, type ModelOutput, toIds, type TaskKind } from "../modeling_utils.js";
import { type PastKeyValues, expandBatch, keyPaddingMask, pastLength } from "../decoder_utils.js";
import { type EncoderForwardOptions, type EncoderLayer, encoderInputs, encoderPast, paddingIndex, runEncoderLayers } from "../encoder_utils.js";

import { BertConfig } from "./config.js";


/** What every encoder's embeddings module takes: ids (B, T) or embeddings (B, T, C). */
export interface EmbeddingInputs {
  inputIds: Tensor | null;
  tokenTypeIds: Tensor | null;
  positionIds: Tensor | null;
  inputsEmbeds: Tensor | null;
  /** Positions already held by past_key_values: default position ids start here. */
  pastLength?: number;
}

export class BertEmbeddings extends Module {
  readonly word_embeddings: EmbeddingLike;
  readonly position_embeddings: EmbeddingLike;
  readonly token_type_embeddings: EmbeddingLike;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;

  constructor(config: BertConfig, positionPaddingIdx: number | null = null) {
    super();
    const std = config.initializer_range;
    const C = config.hidden_size;
    const pad = paddingIndex(config.pad_token_id, config.vocab_size);
    this.word_embeddings = this.addModule("word_embeddings", new Embedding(config.vocab_size, C, pad, std));
    this.position_embeddings = this.addModule("position_embeddings", new Embedding(config.max_position_embeddings, C, positionPaddingIdx, std));
    this.token_type_embeddings = this.addModule("token_type_embeddings", new Embedding(config.type_vocab_size, C, null, std));
    // Named LayerNorm (not layer_norm) to match the original TensorFlow checkpoint keys.
    this.LayerNorm = this.addModule("LayerNorm", new LayerNorm(C, config.layer_norm_eps));
    this.dropout = this.addModule("dropout", new Dropout(config.hidden_dropout_prob));
  }

  /** Position ids when none are given: arange(past, past + T) for every row. */
  protected defaultPositionIds(inputs: EmbeddingInputs, T: number): Tensor {
    const past = inputs.pastLength ?? 0;
    return reshape(arange(past, past + T), [1, T]);
  }

  forward(inputs: EmbeddingInputs): Tensor {
    const words = inputs.inputsEmbeds ?? this.word_embeddings.forward(inputs.inputIds!);
    const [B, T] = words.shape;
    const positionIds = inputs.positionIds ?? this.defaultPositionIds(inputs, T);
    const tokenTypeIds = inputs.tokenTypeIds ?? zeros([B, T], { dtype: "int32" });
    let h = add(words, this.token_type_embeddings.forward(tokenTypeIds));
    h = add(h, this.position_embeddings.forward(positionIds));
    return this.dropout.forward(this.LayerNorm.forward(h));
  }
}

export class BertSelfAttention extends Module {
  readonly numHeads: number;
  readonly headDim: number;
  readonly query: LinearLike;
  readonly key: LinearLike;
  readonly value: LinearLike;

  constructor(readonly config: BertConfig) {
    super();
    this.numHeads = config.num_attention_heads;
    this.headDim = config.hidden_size / config.num_attention_heads;
    const C = config.hidden_size;
    const std = config.initializer_range;
    this.query = this.addModule("query", new Linear(C, C, { std }));
    this.key = this.addModule("key", new Linear(C, C, { std }));
    this.value = this.addModule("value", new Linear(C, C, { std }));
  }

  /** (B, T, C) -> (B, H, T, D) */
  private heads(x: Tensor): Tensor {
    const [B, T] = x.shape;
    return permute(reshape(x, [B, T, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }

  /**
   * hidden (B, T, C), mask (B, P + T) 1 = attend, past [key, value] (1 or B, H, P, D) put in
   * front of this layer's keys and values. softmax(q k^T / sqrt(D) + mask) v, heads merged back,
   * for the query rows `queries` (B, Tq, C) of hidden (all of it by default).
   */
  forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor], queries: Tensor = hidden): Tensor {
    const [B, T, C] = queries.shape;
    const q = this.heads(this.query.forward(queries));
    let k = this.heads(this.key.forward(hidden));
    let v = this.heads(this.value.forward(hidden));
    if (past) {
      k = cat([expandBatch(past[0], B), k], 2);
      v = cat([expandBatch(past[1], B), v], 2);
    }
    const ctx = scaledDotProductAttention(q, k, v, {
      keyPaddingMask: mask,
      dropoutP: this.training ? this.config.attention_probs_dropout_prob : 0,
    });
    return reshape(permute(ctx, [0, 2, 1, 3]), [B, T, C]);
  }
}

/** dense + dropout + residual + LayerNorm, after attention (BertSelfOutput) or the MLP (BertOutput). */
class DenseResidualNorm extends Module {
  readonly dense: LinearLike;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;
  constructor(config: BertConfig, inFeatures: number) {
    super();
    this.dense = this.addModule("dense", new Linear(inFeatures, config.hidden_size, { std: config.initializer_range }));
    this.LayerNorm = this.addModule("LayerNorm", new LayerNorm(config.hidden_size, config.layer_norm_eps));
    this.dropout = this.addModule("dropout", new Dropout(config.hidden_dropout_prob));
  }
  forward(hidden: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(add(this.dropout.forward(this.dense.forward(hidden)), residual));
  }
}

export class BertSelfOutput extends DenseResidualNorm {
  constructor(config: BertConfig) {
    super(config, config.hidden_size);
  }
}

export class BertAttention extends Module {
  /** The child registered as "self" (the checkpoint's name; `self` reads poorly as a field). */
  get selfAttention(): BertSelfAttention {
    return this.child("self") as BertSelfAttention;
  }
  readonly output: BertSelfOutput;
  constructor(config: BertConfig) {
    super();
    this.addModule("self", new BertSelfAttention(config));
    this.output = this.addModule("output", new BertSelfOutput(config));
  }
  forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor], queries: Tensor = hidden): Tensor {
    return this.output.forward(this.selfAttention.forward(hidden, mask, past, queries), queries);
  }
}

export class BertIntermediate extends Module {
  readonly dense: LinearLike;
  readonly act: Activation;
  constructor(config: BertConfig) {
    super();
    this.dense = this.addModule("dense", new Linear(config.hidden_size, config.intermediate_size, { std: config.initializer_range }));
    this.act = getActivation(config.hidden_act);
  }
  forward(hidden: Tensor): Tensor {
    return this.act(this.dense.forward(hidden));
  }
}

export class BertOutput extends DenseResidualNorm {
  constructor(config: BertConfig) {
    super(config, config.intermediate_size);
  }
}

export class BertLayer extends Module implements EncoderLayer {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertOutput;
  constructor(config: BertConfig) {
    super();
    this.attention = this.addModule("attention", new BertAttention(config));
    this.intermediate = this.addModule("intermediate", new BertIntermediate(config));
    this.output = this.addModule("output", new BertOutput(config));
  }
  forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor], queries?: Tensor): Tensor {
    const a = this.attention.forward(hidden, mask, past, queries);
    return this.output.forward(this.intermediate.forward(a), a);
  }
}

export class BertEncoder extends Module {
  readonly layer: ModuleList<BertLayer>;
  /** Recompute each layer in backward instead of keeping its activations (set through the model's flag). */
  gradientCheckpointing = false;
  constructor(config: BertConfig) {
    super();
    this.layer = this.addModule("layer", new ModuleList(Array.from({ length: config.num_hidden_layers }, () => new BertLayer(config))));
  }
  forward(hidden: Tensor, mask: Tensor | null, past?: PastKeyValues, firstPositionOnly = false): Tensor {
    return runEncoderLayers(this.layer.items, hidden, mask, past, this.gradientCheckpointing && this.training, firstPositionOnly);
  }
}



export class BertPooler extends Module {
  readonly dense: LinearLike;
  constructor(config: BertConfig) {
    super();
    this.dense = this.addModule("dense", new Linear(config.hidden_size, config.hidden_size, { std: config.initializer_range }));
  }
  /** tanh(dense(h[:, 0])): the [CLS] token's state. */
  forward(hidden: Tensor): Tensor {
    return tanh(this.dense.forward(select(hidden, 1, 0)));
  }
}

/** Shared by every BERT-family model: config class and base prefix. */
export class BertPreTrainedModel extends PreTrainedModel {
  static override configClass = BertConfig;
  static override baseModelPrefix = "bert";
  declare readonly config: BertConfig;
}


/**
 * The bare encoder. Returns last_hidden_state (B, T, C) and pooler_output (B, C) when it
 * has a pooler; `logits` repeats last_hidden_state so generic code can treat every model alike.
 * `options.firstPositionOnly` (the classification heads) computes the last layer for position 0
 * alone: last_hidden_state is then (B, 1, C).
 */
export class BertModel extends BertPreTrainedModel {
  static override readonly architecture: string = "BertModel";
  static override readonly taskKind: TaskKind = "base";
  static override baseModelPrefix = "bert";
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler | null;

  constructor(config: BertConfig, addPoolingLayer = true, embeddings?: BertEmbeddings) {
    super(config);
    this.embeddings = this.addModule("embeddings", embeddings ?? new BertEmbeddings(config));
    this.encoder = this.addModule("encoder", new BertEncoder(config));
    this.pooler = addPoolingLayer ? this.addModule("pooler", new BertPooler(config)) : null;
  }

  override forward(inputs: ModelInputs, options: EncoderForwardOptions = {}): ModelOutput & { last_hidden_state: Tensor } {
    const x = encoderInputs(inputs);
    const [B, T] = x.ids ? x.ids.shape : x.embeds!.shape;
    const { past, pastLen, mask } = encoderPast(inputs, B, T, this.encoder.layer.length, this.config.max_position_embeddings, this.constructor.name);
    const h0 = this.embeddings.forward({ inputIds: x.ids, tokenTypeIds: x.tokenTypes, positionIds: x.positions, inputsEmbeds: x.embeds, pastLength: pastLen });
    const last = this.encoder.forward(h0, mask, past, options.firstPositionOnly);
    const pooled = this.pooler ? this.pooler.forward(last) : undefined;
    return { logits: last, last_hidden_state: last, pooler_output: pooled };
  }
}
