/**
 * BERT, read top to bottom as transformers' modeling_bert.py: embeddings, self-attention,
 * the post-attention and feed-forward sublayers, the encoder, the pooler, BertModel. Module
 * names are the checkpoint keys (`encoder.layer.0.attention.self.query.weight`), LayerNorm
 * included. Task heads live in heads.ts; RoBERTa reuses everything here but the embeddings.
 */
import { type Tensor, add, arange, reshape, permute, scaledDotProductAttention, select, tanh, zeros } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, LayerNorm, Dropout, getActivation, type Activation } from "../../nn/index.js";
import { PreTrainedModel, type ModelInputs, type ModelOutput, checkpointBlock, toIds } from "../modeling_utils.js";
import { BertConfig } from "./config.js";

/** The padding row of an embedding table, when the config names one inside it. */
export function paddingIndex(padTokenId: number | null | undefined, size: number): number | null {
  return typeof padTokenId === "number" && padTokenId >= 0 && padTokenId < size ? padTokenId : null;
}

/** What every encoder's embeddings module takes: ids (B, T) or embeddings (B, T, C). */
export interface EmbeddingInputs {
  inputIds: Tensor | null;
  tokenTypeIds: Tensor | null;
  positionIds: Tensor | null;
  inputsEmbeds: Tensor | null;
}

export class BertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
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

  /** Position ids when none are given: arange(T) for every row. */
  protected defaultPositionIds(inputs: EmbeddingInputs, T: number): Tensor {
    void inputs;
    return reshape(arange(T), [1, T]);
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
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;

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

  /** hidden (B, T, C), mask (B, T) 1 = attend. softmax(q k^T / sqrt(D) + mask) v, heads merged back. */
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    const [B, T, C] = hidden.shape;
    const q = this.heads(this.query.forward(hidden));
    const k = this.heads(this.key.forward(hidden));
    const v = this.heads(this.value.forward(hidden));
    const ctx = scaledDotProductAttention(q, k, v, {
      keyPaddingMask: mask,
      dropoutP: this.training ? this.config.attention_probs_dropout_prob : 0,
    });
    return reshape(permute(ctx, [0, 2, 1, 3]), [B, T, C]);
  }
}

/** dense + dropout + residual + LayerNorm, after attention (BertSelfOutput) or the MLP (BertOutput). */
class DenseResidualNorm extends Module {
  readonly dense: Linear;
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
  readonly selfAttention: BertSelfAttention;
  readonly output: BertSelfOutput;
  constructor(config: BertConfig) {
    super();
    this.selfAttention = this.addModule("self", new BertSelfAttention(config));
    this.output = this.addModule("output", new BertSelfOutput(config));
  }
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    return this.output.forward(this.selfAttention.forward(hidden, mask), hidden);
  }
}

export class BertIntermediate extends Module {
  readonly dense: Linear;
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

export class BertLayer extends Module {
  readonly attention: BertAttention;
  readonly intermediate: BertIntermediate;
  readonly output: BertOutput;
  constructor(config: BertConfig) {
    super();
    this.attention = this.addModule("attention", new BertAttention(config));
    this.intermediate = this.addModule("intermediate", new BertIntermediate(config));
    this.output = this.addModule("output", new BertOutput(config));
  }
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    const a = this.attention.forward(hidden, mask);
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
  forward(hidden: Tensor, mask: Tensor | null): Tensor {
    let h = hidden;
    for (const layer of this.layer) {
      h = checkpointBlock(this.gradientCheckpointing && this.training, (x) => layer.forward(x, mask), h);
    }
    return h;
  }
}

export class BertPooler extends Module {
  readonly dense: Linear;
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

/** Converts the id-like inputs an encoder reads (input_ids or inputs_embeds, masks, token types). */
export function encoderInputs(inputs: ModelInputs): { ids: Tensor | null; embeds: Tensor | null; mask: Tensor | null; tokenTypes: Tensor | null; positions: Tensor | null } {
  if (!inputs.input_ids && !inputs.inputs_embeds) throw new Error("[model] pass input_ids or inputs_embeds");
  if (inputs.input_ids && inputs.inputs_embeds) throw new Error("[model] pass input_ids or inputs_embeds, not both");
  return {
    ids: inputs.input_ids ? toIds(inputs.input_ids) : null,
    embeds: inputs.inputs_embeds ?? null,
    mask: inputs.attention_mask !== undefined ? toIds(inputs.attention_mask, "attention_mask") : null,
    tokenTypes: inputs.token_type_ids !== undefined ? toIds(inputs.token_type_ids, "token_type_ids") : null,
    positions: inputs.position_ids !== undefined ? toIds(inputs.position_ids, "position_ids") : null,
  };
}

/**
 * The bare encoder. Returns last_hidden_state (B, T, C) and pooler_output (B, C) when it
 * has a pooler; `logits` repeats last_hidden_state so generic code can treat every model alike.
 */
export class BertModel extends BertPreTrainedModel {
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

  override forward(inputs: ModelInputs): ModelOutput & { last_hidden_state: Tensor } {
    const x = encoderInputs(inputs);
    const h0 = this.embeddings.forward({ inputIds: x.ids, tokenTypeIds: x.tokenTypes, positionIds: x.positions, inputsEmbeds: x.embeds });
    const last = this.encoder.forward(h0, x.mask);
    const pooled = this.pooler ? this.pooler.forward(last) : undefined;
    return { logits: last, last_hidden_state: last, pooler_output: pooled };
  }
}
