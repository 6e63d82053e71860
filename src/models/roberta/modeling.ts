/**
 * RoBERTa: BERT's encoder with its own embeddings (positions count real tokens from
 * padding_idx + 1, so position ids depend on where the padding is) and its own heads
 * (classifier.dense/out_proj on the first token, lm_head). Token classification and QA
 * are BERT's heads under the "roberta" prefix.
 */
import { type Tensor, Tensor as TensorClass, arange, gelu, reshape, select, tanh, zeros } from "../../tensor/index.js";
import { Module, Linear, LayerNorm, Dropout, tieParameter, type LinearLike } from "../../nn/index.js";
import type { ModelInputs, ModelOutput, TaskKind } from "../modeling_utils.js";
import { sequenceClassificationLoss, tokenLoss } from "../loss_utils.js";
import { BertEmbeddings, BertModel, BertPreTrainedModel, type EmbeddingInputs } from "../bert/modeling.js";
import { paddingIndex } from "../encoder_utils.js";
import { BertForQuestionAnswering, BertForTokenClassification, classifierDropout } from "../bert/heads.js";
import { RobertaConfig } from "./config.js";

/**
 * transformers' create_position_ids_from_input_ids: padding tokens get padding_idx, real
 * tokens padding_idx + 1, + 2, ... counted per row over non-padding ids.
 */
export function createPositionIdsFromInputIds(inputIds: Tensor, paddingIdx: number, pastLength = 0): Tensor {
  const [B, T] = inputIds.shape;
  const ids = inputIds.isContiguous() ? inputIds.i32() : inputIds.contiguousCopy().i32();
  const out = TensorClass.empty([B, T], "int32");
  const pos = out.i32();
  for (let b = 0; b < B; b++) {
    let count = pastLength;
    for (let t = 0; t < T; t++) {
      const real = ids[b * T + t] !== paddingIdx;
      if (real) count++;
      pos[b * T + t] = real ? count + paddingIdx : paddingIdx;
    }
  }
  return out;
}

export class RobertaEmbeddings extends BertEmbeddings {
  readonly paddingIdx: number;
  constructor(config: RobertaConfig) {
    // differs from BERT: the position table has a padding row too.
    super(config, paddingIndex(config.pad_token_id, config.max_position_embeddings));
    this.paddingIdx = config.pad_token_id ?? 1;
  }

  protected override defaultPositionIds(inputs: EmbeddingInputs, T: number): Tensor {
    if (inputs.inputIds) return createPositionIdsFromInputIds(inputs.inputIds, this.paddingIdx, inputs.pastLength ?? 0);
    // From embeddings there is no telling padding apart: sequential ids after padding_idx
    // (transformers' create_position_ids_from_inputs_embeds ignores past positions too).
    return reshape(arange(this.paddingIdx + 1, this.paddingIdx + 1 + T), [1, T]);
  }
}

export class RobertaPreTrainedModel extends BertPreTrainedModel {
  static override configClass = RobertaConfig;
  static override baseModelPrefix = "roberta";
}

export class RobertaModel extends BertModel {
  static override readonly architecture: string = "RobertaModel";
  static override readonly taskKind: TaskKind = "base";
  static override configClass = RobertaConfig;
  static override baseModelPrefix = "roberta";
  constructor(config: RobertaConfig, addPoolingLayer = true) {
    super(config, addPoolingLayer, new RobertaEmbeddings(config));
  }
}

/** classifier: dense + tanh on the first token (<s>), then out_proj; dropout before each. */
export class RobertaClassificationHead extends Module {
  readonly dense: LinearLike;
  readonly dropout: Dropout;
  readonly out_proj: LinearLike;
  constructor(config: RobertaConfig) {
    super();
    const std = config.initializer_range;
    this.dense = this.addModule("dense", new Linear(config.hidden_size, config.hidden_size, { std }));
    this.dropout = this.addModule("dropout", new Dropout(classifierDropout(config)));
    this.out_proj = this.addModule("out_proj", new Linear(config.hidden_size, config.num_labels, { std }));
  }
  forward(features: Tensor): Tensor {
    const x = this.dropout.forward(select(features, 1, 0));
    return this.out_proj.forward(this.dropout.forward(tanh(this.dense.forward(x))));
  }
}

export class RobertaForSequenceClassification extends RobertaPreTrainedModel {
  static override readonly architecture: string = "RobertaForSequenceClassification";
  static override readonly taskKind: TaskKind = "sequence-classification";
  static override ignoreUnexpected = [/(^|\.)pooler\./];
  readonly roberta: RobertaModel;
  readonly classifier: RobertaClassificationHead;
  constructor(config: RobertaConfig) {
    super(config);
    this.roberta = this.addModule("roberta", new RobertaModel(config, false));
    this.classifier = this.addModule("classifier", new RobertaClassificationHead(config));
  }
  /** The head reads <s> alone, so the last layer runs for it alone (BertModel's firstPositionOnly). */
  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.roberta.forward(inputs, { firstPositionOnly: true });
    const logits = this.classifier.forward(out.last_hidden_state);
    const loss = inputs.labels !== undefined ? sequenceClassificationLoss(this.config, logits, inputs.labels) : undefined;
    return { loss, logits };
  }
}

export class RobertaForTokenClassification extends BertForTokenClassification {
  static override readonly architecture: string = "RobertaForTokenClassification";
  static override readonly taskKind: TaskKind = "token-classification";
  static override configClass = RobertaConfig;
  static override baseModelPrefix = "roberta";
  static override baseModelClass = RobertaModel;
}

export class RobertaForQuestionAnswering extends BertForQuestionAnswering {
  static override readonly architecture: string = "RobertaForQuestionAnswering";
  static override readonly taskKind: TaskKind = "question-answering";
  static override configClass = RobertaConfig;
  static override baseModelPrefix = "roberta";
  static override baseModelClass = RobertaModel;
}

/** lm_head: dense -> gelu -> layer_norm -> decoder (tied to word_embeddings) + lm_head.bias. */
export class RobertaLMHead extends Module {
  readonly dense: LinearLike;
  readonly layer_norm: LayerNorm;
  readonly decoder: LinearLike;
  bias: Tensor;
  constructor(config: RobertaConfig) {
    super();
    const std = config.initializer_range;
    this.dense = this.addModule("dense", new Linear(config.hidden_size, config.hidden_size, { std }));
    this.layer_norm = this.addModule("layer_norm", new LayerNorm(config.hidden_size, config.layer_norm_eps));
    this.decoder = this.addModule("decoder", new Linear(config.hidden_size, config.vocab_size, { bias: false, std }));
    this.bias = this.addParameter("bias", zeros([config.vocab_size]));
    this.tieBias();
  }
  tieBias(): void {
    tieParameter(this.decoder, "bias", this.bias);
  }
  forward(features: Tensor): Tensor {
    return this.decoder.forward(this.layer_norm.forward(gelu(this.dense.forward(features))));
  }
}

export class RobertaForMaskedLM extends RobertaPreTrainedModel {
  static override readonly architecture: string = "RobertaForMaskedLM";
  static override readonly taskKind: TaskKind = "masked-lm";
  static override ignoreMissing = [/^lm_head\.decoder\.(weight|bias)$/];
  static override ignoreUnexpected = [/(^|\.)pooler\./];
  readonly roberta: RobertaModel;
  readonly lm_head: RobertaLMHead;
  constructor(config: RobertaConfig) {
    super(config);
    this.roberta = this.addModule("roberta", new RobertaModel(config, false));
    this.lm_head = this.addModule("lm_head", new RobertaLMHead(config));
    this.tieWeights();
  }
  override tieWeights(): void {
    this.lm_head.tieBias();
    const words = this.roberta.embeddings.word_embeddings.param("weight");
    if (this.config.tie_word_embeddings && this.lm_head.decoder.param("weight") !== words) this.lm_head.decoder.setParameter("weight", words);
  }
  override forward(inputs: ModelInputs): ModelOutput {
    const out = this.roberta.forward(inputs);
    const logits = this.lm_head.forward(out.last_hidden_state);
    const loss = inputs.labels !== undefined ? tokenLoss(logits, inputs.labels) : undefined;
    return { loss, logits, last_hidden_state: out.last_hidden_state };
  }
}
