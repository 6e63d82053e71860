/**
 * DistilBERT, as transformers' modeling_distilbert.py: embeddings without token types, a
 * post-LN transformer of `transformer.layer.N.{attention.{q,k,v,out}_lin, sa_layer_norm,
 * ffn.lin1/lin2, output_layer_norm}`, and the heads (pre_classifier + classifier, the
 * vocab_transform/vocab_layer_norm/vocab_projector MLM head, token classification, QA).
 *
 * differs from transformers: attention also takes past_key_values (per layer [key, value],
 * (1 or B, H, P, D)) in front of its keys and values, with positions starting at P, as
 * tunelab's BERT does, so prefix tuning works on DistilBERT too (transformers' DistilBERT has
 * no past_key_values, so PEFT refuses it there).
 */
import { type Tensor, Tensor as TensorClass, add, arange, cat, permute, relu, reshape, scaledDotProductAttention, select } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, LayerNorm, Dropout, getActivation, type Activation, type LinearLike, type EmbeddingLike } from "../../nn/index.js";
import { PreTrainedModel, type ModelInputs, type ModelOutput, type TaskKind } from "../modeling_utils.js";
import { sequenceClassificationLoss, tokenLoss } from "../loss_utils.js";
import { type PastKeyValues, expandBatch } from "../decoder_utils.js";
import { type EncoderForwardOptions, type EncoderLayer, encoderInputs, encoderPast, paddingIndex, runEncoderLayers } from "../encoder_utils.js";
import { questionAnsweringOutput } from "../bert/heads.js";
import { DistilBertConfig } from "./config.js";

const LN_EPS = 1e-12; // DistilBERT hard-codes its LayerNorm eps.

/** Fixed sinusoidal position table (sinusoidal_pos_embds): sin on even columns, cos on odd. */
function sinusoidalTable(nPos: number, dim: number): Tensor {
  const out = TensorClass.empty([nPos, dim]);
  const w = out.f32();
  for (let pos = 0; pos < nPos; pos++) {
    for (let j = 0; j < dim; j++) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      w[pos * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

export class DistilBertEmbeddings extends Module {
  readonly word_embeddings: EmbeddingLike;
  readonly position_embeddings: EmbeddingLike;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;
  constructor(config: DistilBertConfig) {
    super();
    const std = config.initializer_range;
    this.word_embeddings = this.addModule("word_embeddings", new Embedding(config.vocab_size, config.dim, paddingIndex(config.pad_token_id, config.vocab_size), std));
    const positions = new Embedding(config.max_position_embeddings, config.dim, null, std);
    if (config.sinusoidal_pos_embds) {
      positions.weight.dispose();
      positions.addParameter("weight", sinusoidalTable(config.max_position_embeddings, config.dim), false);
    }
    this.position_embeddings = this.addModule("position_embeddings", positions);
    this.LayerNorm = this.addModule("LayerNorm", new LayerNorm(config.dim, LN_EPS));
    this.dropout = this.addModule("dropout", new Dropout(config.dropout));
  }
  forward(inputIds: Tensor | null, inputsEmbeds: Tensor | null, positionIds: Tensor | null, pastLength = 0): Tensor {
    const words = inputsEmbeds ?? this.word_embeddings.forward(inputIds!);
    const T = words.shape[1];
    const positions = this.position_embeddings.forward(positionIds ?? reshape(arange(pastLength, pastLength + T), [1, T]));
    return this.dropout.forward(this.LayerNorm.forward(add(words, positions)));
  }
}

export class MultiHeadSelfAttention extends Module {
  readonly numHeads: number;
  readonly headDim: number;
  readonly q_lin: LinearLike;
  readonly k_lin: LinearLike;
  readonly v_lin: LinearLike;
  readonly out_lin: LinearLike;
  constructor(readonly config: DistilBertConfig) {
    super();
    this.numHeads = config.n_heads;
    this.headDim = config.dim / config.n_heads;
    const std = config.initializer_range;
    this.q_lin = this.addModule("q_lin", new Linear(config.dim, config.dim, { std }));
    this.k_lin = this.addModule("k_lin", new Linear(config.dim, config.dim, { std }));
    this.v_lin = this.addModule("v_lin", new Linear(config.dim, config.dim, { std }));
    this.out_lin = this.addModule("out_lin", new Linear(config.dim, config.dim, { std }));
  }
  private heads(x: Tensor): Tensor {
    const [B, T] = x.shape;
    return permute(reshape(x, [B, T, this.numHeads, this.headDim]), [0, 2, 1, 3]);
  }
  /**
   * hidden (B, T, C), mask (B, P + T) 1 = attend, past [key, value] (1 or B, H, P, D) in front
   * of the keys and values; outputs for the query rows `queries` of hidden (all of it by default).
   */
  forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor], queries: Tensor = hidden): Tensor {
    const [B, T, C] = queries.shape;
    let k = this.heads(this.k_lin.forward(hidden));
    let v = this.heads(this.v_lin.forward(hidden));
    if (past) {
      k = cat([expandBatch(past[0], B), k], 2);
      v = cat([expandBatch(past[1], B), v], 2);
    }
    const ctx = scaledDotProductAttention(this.heads(this.q_lin.forward(queries)), k, v, {
      keyPaddingMask: mask,
      dropoutP: this.training ? this.config.attention_dropout : 0,
    });
    return this.out_lin.forward(reshape(permute(ctx, [0, 2, 1, 3]), [B, T, C]));
  }
}

export class FFN extends Module {
  readonly lin1: LinearLike;
  readonly lin2: LinearLike;
  readonly dropout: Dropout;
  readonly act: Activation;
  constructor(config: DistilBertConfig) {
    super();
    const std = config.initializer_range;
    this.dropout = this.addModule("dropout", new Dropout(config.dropout));
    this.lin1 = this.addModule("lin1", new Linear(config.dim, config.hidden_dim, { std }));
    this.lin2 = this.addModule("lin2", new Linear(config.hidden_dim, config.dim, { std }));
    this.act = getActivation(config.activation);
  }
  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.lin2.forward(this.act(this.lin1.forward(x))));
  }
}

export class TransformerBlock extends Module implements EncoderLayer {
  readonly attention: MultiHeadSelfAttention;
  readonly sa_layer_norm: LayerNorm;
  readonly ffn: FFN;
  readonly output_layer_norm: LayerNorm;
  constructor(config: DistilBertConfig) {
    super();
    this.attention = this.addModule("attention", new MultiHeadSelfAttention(config));
    this.sa_layer_norm = this.addModule("sa_layer_norm", new LayerNorm(config.dim, LN_EPS));
    this.ffn = this.addModule("ffn", new FFN(config));
    this.output_layer_norm = this.addModule("output_layer_norm", new LayerNorm(config.dim, LN_EPS));
  }
  forward(x: Tensor, mask: Tensor | null, past?: [Tensor, Tensor], queries: Tensor = x): Tensor {
    const sa = this.sa_layer_norm.forward(add(this.attention.forward(x, mask, past, queries), queries));
    return this.output_layer_norm.forward(add(this.ffn.forward(sa), sa));
  }
}

export class Transformer extends Module {
  readonly layer: ModuleList<TransformerBlock>;
  gradientCheckpointing = false;
  constructor(config: DistilBertConfig) {
    super();
    this.layer = this.addModule("layer", new ModuleList(Array.from({ length: config.n_layers }, () => new TransformerBlock(config))));
  }
  forward(x: Tensor, mask: Tensor | null, past?: PastKeyValues, firstPositionOnly = false): Tensor {
    return runEncoderLayers(this.layer.items, x, mask, past, this.gradientCheckpointing && this.training, firstPositionOnly);
  }
}

export class DistilBertPreTrainedModel extends PreTrainedModel {
  static override configClass = DistilBertConfig;
  static override baseModelPrefix = "distilbert";
  declare readonly config: DistilBertConfig;
}

/**
 * The bare encoder: last_hidden_state (B, T, dim), also given as `logits`; (B, 1, dim) with
 * `options.firstPositionOnly` (the last layer for position 0 alone, as BertModel).
 */
export class DistilBertModel extends DistilBertPreTrainedModel {
  static override readonly architecture: string = "DistilBertModel";
  static override readonly taskKind: TaskKind = "base";
  readonly embeddings: DistilBertEmbeddings;
  readonly transformer: Transformer;
  constructor(config: DistilBertConfig) {
    super(config);
    this.embeddings = this.addModule("embeddings", new DistilBertEmbeddings(config));
    this.transformer = this.addModule("transformer", new Transformer(config));
  }
  override forward(inputs: ModelInputs, options: EncoderForwardOptions = {}): ModelOutput & { last_hidden_state: Tensor } {
    const x = encoderInputs(inputs);
    const [B, T] = x.ids ? x.ids.shape : x.embeds!.shape;
    const { past, pastLen, mask } = encoderPast(inputs, B, T, this.transformer.layer.length, this.config.max_position_embeddings, "DistilBertModel");
    const last = this.transformer.forward(this.embeddings.forward(x.ids, x.embeds, x.positions, pastLen), mask, past, options.firstPositionOnly);
    return { logits: last, last_hidden_state: last };
  }
}

/** Heads hold the encoder under "distilbert". */
abstract class DistilBertHead extends DistilBertPreTrainedModel {
  readonly distilbert: DistilBertModel;
  constructor(config: DistilBertConfig) {
    super(config);
    this.distilbert = this.addModule("distilbert", new DistilBertModel(config));
  }
}

export class DistilBertForSequenceClassification extends DistilBertHead {
  static override readonly architecture: string = "DistilBertForSequenceClassification";
  static override readonly taskKind: TaskKind = "sequence-classification";
  readonly pre_classifier: LinearLike;
  readonly classifier: LinearLike;
  readonly dropout: Dropout;
  constructor(config: DistilBertConfig) {
    super(config);
    const std = config.initializer_range;
    this.pre_classifier = this.addModule("pre_classifier", new Linear(config.dim, config.dim, { std }));
    this.classifier = this.addModule("classifier", new Linear(config.dim, config.num_labels, { std }));
    this.dropout = this.addModule("dropout", new Dropout(config.seq_classif_dropout));
  }
  /** The head reads position 0 alone, so the last layer runs for it alone (firstPositionOnly). */
  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.distilbert.forward(inputs, { firstPositionOnly: true });
    const pooled = relu(this.pre_classifier.forward(select(out.last_hidden_state, 1, 0)));
    const logits = this.classifier.forward(this.dropout.forward(pooled));
    const loss = inputs.labels !== undefined ? sequenceClassificationLoss(this.config, logits, inputs.labels) : undefined;
    return { loss, logits };
  }
}

export class DistilBertForMaskedLM extends DistilBertHead {
  static override readonly architecture: string = "DistilBertForMaskedLM";
  static override readonly taskKind: TaskKind = "masked-lm";
  static override ignoreMissing = [/^vocab_projector\.weight$/];
  readonly vocab_transform: LinearLike;
  readonly act: Activation;
  readonly vocab_layer_norm: LayerNorm;
  readonly vocab_projector: LinearLike;
  constructor(config: DistilBertConfig) {
    super(config);
    const std = config.initializer_range;
    this.vocab_transform = this.addModule("vocab_transform", new Linear(config.dim, config.dim, { std }));
    this.act = getActivation(config.activation);
    this.vocab_layer_norm = this.addModule("vocab_layer_norm", new LayerNorm(config.dim, LN_EPS));
    this.vocab_projector = this.addModule("vocab_projector", new Linear(config.dim, config.vocab_size, { std }));
    this.tieWeights();
  }
  override tieWeights(): void {
    const words = this.distilbert.embeddings.word_embeddings.param("weight");
    if (this.config.tie_word_embeddings && this.vocab_projector.param("weight") !== words) this.vocab_projector.setParameter("weight", words);
  }
  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.distilbert.forward(inputs);
    const h = this.vocab_layer_norm.forward(this.act(this.vocab_transform.forward(out.last_hidden_state)));
    const logits = this.vocab_projector.forward(h);
    const loss = inputs.labels !== undefined ? tokenLoss(logits, inputs.labels) : undefined;
    return { loss, logits, last_hidden_state: out.last_hidden_state };
  }
}

export class DistilBertForTokenClassification extends DistilBertHead {
  static override readonly architecture: string = "DistilBertForTokenClassification";
  static override readonly taskKind: TaskKind = "token-classification";
  readonly dropout: Dropout;
  readonly classifier: LinearLike;
  constructor(config: DistilBertConfig) {
    super(config);
    this.dropout = this.addModule("dropout", new Dropout(config.dropout));
    this.classifier = this.addModule("classifier", new Linear(config.dim, config.num_labels, { std: config.initializer_range }));
  }
  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.distilbert.forward(inputs);
    const logits = this.classifier.forward(this.dropout.forward(out.last_hidden_state));
    const loss = inputs.labels !== undefined ? tokenLoss(logits, inputs.labels) : undefined;
    return { loss, logits, last_hidden_state: out.last_hidden_state };
  }
}

export class DistilBertForQuestionAnswering extends DistilBertHead {
  static override readonly architecture: string = "DistilBertForQuestionAnswering";
  static override readonly taskKind: TaskKind = "question-answering";
  readonly qa_outputs: LinearLike;
  readonly dropout: Dropout;
  constructor(config: DistilBertConfig) {
    super(config);
    this.qa_outputs = this.addModule("qa_outputs", new Linear(config.dim, config.num_labels, { std: config.initializer_range }));
    this.dropout = this.addModule("dropout", new Dropout(config.qa_dropout));
  }
  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.distilbert.forward(inputs);
    const logits = this.qa_outputs.forward(this.dropout.forward(out.last_hidden_state));
    return questionAnsweringOutput(logits, inputs, out.last_hidden_state);
  }
}
