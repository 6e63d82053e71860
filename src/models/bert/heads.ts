/**
 * BERT task heads, as transformers' BertFor* classes: sequence classification (pooler +
 * classifier), token classification, masked LM (cls.predictions with the decoder tied to the
 * word embeddings) and extractive QA. Token classification and QA take their base model
 * class from a static field, so RoBERTa's versions are subclasses of one line each.
 */
import { type Tensor, select, contiguous, zeros } from "../../tensor/index.js";
import { Module, Linear, LayerNorm, Dropout, getActivation, tieParameter, type Activation, type LinearLike } from "../../nn/index.js";
import type { ModelInputs, ModelOutput, TaskKind } from "../modeling_utils.js";
import { questionAnsweringLoss, sequenceClassificationLoss, tokenLoss } from "../loss_utils.js";
import { BertConfig } from "./config.js";
import { BertModel, BertPreTrainedModel } from "./modeling.js";

type BaseModelClass = new (config: BertConfig, addPoolingLayer?: boolean) => BertModel;

/** The base model a head builds, registered under the class's base prefix ("bert", "roberta"). */
function addBaseModel(head: BertPreTrainedModel, config: BertConfig, addPoolingLayer: boolean): BertModel {
  const cls = head.constructor as typeof BertPreTrainedModel & { baseModelClass: BaseModelClass };
  return head.addModule(cls.baseModelPrefix, new cls.baseModelClass(config, addPoolingLayer));
}

export function classifierDropout(config: BertConfig): number {
  return config.classifier_dropout ?? config.hidden_dropout_prob;
}

export class BertForSequenceClassification extends BertPreTrainedModel {
  static override readonly architecture: string = "BertForSequenceClassification";
  static override readonly taskKind: TaskKind = "sequence-classification";
  readonly bert: BertModel;
  readonly dropout: Dropout;
  readonly classifier: LinearLike;

  constructor(config: BertConfig) {
    super(config);
    this.bert = this.addModule("bert", new BertModel(config, true));
    this.dropout = this.addModule("dropout", new Dropout(classifierDropout(config)));
    this.classifier = this.addModule("classifier", new Linear(config.hidden_size, config.num_labels, { std: config.initializer_range }));
  }

  /** The pooler reads [CLS] alone, so the last layer runs for it alone (BertModel's firstPositionOnly). */
  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.bert.forward(inputs, { firstPositionOnly: true });
    const logits = this.classifier.forward(this.dropout.forward(out.pooler_output!));
    const loss = inputs.labels !== undefined ? sequenceClassificationLoss(this.config, logits, inputs.labels) : undefined;
    return { loss, logits, pooler_output: out.pooler_output };
  }
}

export class BertForTokenClassification extends BertPreTrainedModel {
  static override readonly architecture: string = "BertForTokenClassification";
  static override readonly taskKind: TaskKind = "token-classification";
  static baseModelClass: BaseModelClass = BertModel;
  static override ignoreUnexpected = [/(^|\.)pooler\./];
  readonly base: BertModel;
  readonly dropout: Dropout;
  readonly classifier: LinearLike;

  constructor(config: BertConfig) {
    super(config);
    this.base = addBaseModel(this, config, false);
    this.dropout = this.addModule("dropout", new Dropout(classifierDropout(config)));
    this.classifier = this.addModule("classifier", new Linear(config.hidden_size, config.num_labels, { std: config.initializer_range }));
  }

  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.base.forward(inputs);
    const logits = this.classifier.forward(this.dropout.forward(out.last_hidden_state));
    const loss = inputs.labels !== undefined ? tokenLoss(logits, inputs.labels) : undefined;
    return { loss, logits, last_hidden_state: out.last_hidden_state };
  }
}

/** dense -> activation -> LayerNorm before the vocabulary projection. */
export class BertPredictionHeadTransform extends Module {
  readonly dense: LinearLike;
  readonly act: Activation;
  readonly LayerNorm: LayerNorm;
  constructor(config: BertConfig) {
    super();
    this.dense = this.addModule("dense", new Linear(config.hidden_size, config.hidden_size, { std: config.initializer_range }));
    this.act = getActivation(config.hidden_act);
    this.LayerNorm = this.addModule("LayerNorm", new LayerNorm(config.hidden_size, config.layer_norm_eps));
  }
  forward(hidden: Tensor): Tensor {
    return this.LayerNorm.forward(this.act(this.dense.forward(hidden)));
  }
}

/** cls.predictions: transform, then decoder (weight tied to word_embeddings) with its bias `cls.predictions.bias`. */
export class BertLMPredictionHead extends Module {
  readonly transform: BertPredictionHeadTransform;
  readonly decoder: LinearLike;
  bias: Tensor;
  constructor(config: BertConfig) {
    super();
    this.transform = this.addModule("transform", new BertPredictionHeadTransform(config));
    this.bias = this.addParameter("bias", zeros([config.vocab_size]));
    this.decoder = this.addModule("decoder", new Linear(config.hidden_size, config.vocab_size, { bias: false, std: config.initializer_range }));
    this.tieBias();
  }
  /** decoder.bias is the same tensor as cls.predictions.bias (as in transformers). */
  tieBias(): void {
    tieParameter(this.decoder, "bias", this.bias);
  }
  forward(hidden: Tensor): Tensor {
    return this.decoder.forward(this.transform.forward(hidden));
  }
}

export class BertOnlyMLMHead extends Module {
  readonly predictions: BertLMPredictionHead;
  constructor(config: BertConfig) {
    super();
    this.predictions = this.addModule("predictions", new BertLMPredictionHead(config));
  }
  forward(hidden: Tensor): Tensor {
    return this.predictions.forward(hidden);
  }
}

export class BertForMaskedLM extends BertPreTrainedModel {
  static override readonly architecture: string = "BertForMaskedLM";
  static override readonly taskKind: TaskKind = "masked-lm";
  static override ignoreMissing = [/^cls\.predictions\.decoder\.(weight|bias)$/];
  static override ignoreUnexpected = [/(^|\.)pooler\./, /^cls\.seq_relationship\./];
  readonly bert: BertModel;
  readonly cls: BertOnlyMLMHead;

  constructor(config: BertConfig) {
    super(config);
    this.bert = this.addModule("bert", new BertModel(config, false));
    this.cls = this.addModule("cls", new BertOnlyMLMHead(config));
    this.tieWeights();
  }

  override tieWeights(): void {
    const head = this.cls.predictions;
    head.tieBias();
    const words = this.bert.embeddings.word_embeddings.param("weight");
    if (this.config.tie_word_embeddings && head.decoder.param("weight") !== words) head.decoder.setParameter("weight", words);
  }

  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.bert.forward(inputs);
    const logits = this.cls.forward(out.last_hidden_state);
    const loss = inputs.labels !== undefined ? tokenLoss(logits, inputs.labels) : undefined;
    return { loss, logits, last_hidden_state: out.last_hidden_state };
  }
}

export class BertForQuestionAnswering extends BertPreTrainedModel {
  static override readonly architecture: string = "BertForQuestionAnswering";
  static override readonly taskKind: TaskKind = "question-answering";
  static baseModelClass: BaseModelClass = BertModel;
  static override ignoreUnexpected = [/(^|\.)pooler\./];
  readonly base: BertModel;
  readonly qa_outputs: LinearLike;

  constructor(config: BertConfig) {
    super(config);
    this.base = addBaseModel(this, config, false);
    this.qa_outputs = this.addModule("qa_outputs", new Linear(config.hidden_size, config.num_labels, { std: config.initializer_range }));
  }

  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.base.forward(inputs);
    return questionAnsweringOutput(this.qa_outputs.forward(out.last_hidden_state), inputs, out.last_hidden_state);
  }
}

/** Splits (B, T, 2) logits into start/end (B, T) and adds the loss when positions are given. */
export function questionAnsweringOutput(logits: Tensor, inputs: ModelInputs, lastHidden?: Tensor): ModelOutput {
  if (logits.shape[logits.ndim - 1] !== 2) {
    throw new RangeError(`[model] question answering needs 2 outputs per token (start, end), got ${logits.shape[logits.ndim - 1]}; set num_labels to 2`);
  }
  const start = contiguous(select(logits, -1, 0));
  const end = contiguous(select(logits, -1, 1));
  const { start_positions: sp, end_positions: ep } = inputs;
  const loss = sp !== undefined && ep !== undefined ? questionAnsweringLoss(start, end, sp, ep) : undefined;
  return { loss, logits, start_logits: start, end_logits: end, last_hidden_state: lastHidden };
}
