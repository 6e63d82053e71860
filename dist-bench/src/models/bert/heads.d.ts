/**
 * BERT task heads, as transformers' BertFor* classes: sequence classification (pooler +
 * classifier), token classification, masked LM (cls.predictions with the decoder tied to the
 * word embeddings) and extractive QA. Token classification and QA take their base model
 * class from a static field, so RoBERTa's versions are subclasses of one line each.
 */
import { type Tensor } from "../../tensor/index.js";
import { Module, Linear, LayerNorm, Dropout, type Activation } from "../../nn/index.js";
import type { ModelInputs, ModelOutput, TaskKind } from "../modeling_utils.js";
import { BertConfig } from "./config.js";
import { BertModel, BertPreTrainedModel } from "./modeling.js";
type BaseModelClass = new (config: BertConfig, addPoolingLayer?: boolean) => BertModel;
export declare function classifierDropout(config: BertConfig): number;
export declare class BertForSequenceClassification extends BertPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly bert: BertModel;
    readonly dropout: Dropout;
    readonly classifier: Linear;
    constructor(config: BertConfig);
    forward(inputs: ModelInputs): ModelOutput;
}
export declare class BertForTokenClassification extends BertPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static baseModelClass: BaseModelClass;
    static ignoreUnexpected: RegExp[];
    readonly base: BertModel;
    readonly dropout: Dropout;
    readonly classifier: Linear;
    constructor(config: BertConfig);
    forward(inputs: ModelInputs): ModelOutput;
}
/** dense -> activation -> LayerNorm before the vocabulary projection. */
export declare class BertPredictionHeadTransform extends Module {
    readonly dense: Linear;
    readonly act: Activation;
    readonly LayerNorm: LayerNorm;
    constructor(config: BertConfig);
    forward(hidden: Tensor): Tensor;
}
/** cls.predictions: transform, then decoder (weight tied to word_embeddings) with its bias `cls.predictions.bias`. */
export declare class BertLMPredictionHead extends Module {
    readonly transform: BertPredictionHeadTransform;
    readonly decoder: Linear;
    bias: Tensor;
    constructor(config: BertConfig);
    /** decoder.bias is the same tensor as cls.predictions.bias (as in transformers). */
    tieBias(): void;
    forward(hidden: Tensor): Tensor;
}
export declare class BertOnlyMLMHead extends Module {
    readonly predictions: BertLMPredictionHead;
    constructor(config: BertConfig);
    forward(hidden: Tensor): Tensor;
}
export declare class BertForMaskedLM extends BertPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static ignoreMissing: RegExp[];
    static ignoreUnexpected: RegExp[];
    readonly bert: BertModel;
    readonly cls: BertOnlyMLMHead;
    constructor(config: BertConfig);
    tieWeights(): void;
    forward(inputs: ModelInputs): ModelOutput;
}
export declare class BertForQuestionAnswering extends BertPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static baseModelClass: BaseModelClass;
    static ignoreUnexpected: RegExp[];
    readonly base: BertModel;
    readonly qa_outputs: Linear;
    constructor(config: BertConfig);
    forward(inputs: ModelInputs): ModelOutput;
}
/** Splits (B, T, 2) logits into start/end (B, T) and adds the loss when positions are given. */
export declare function questionAnsweringOutput(logits: Tensor, inputs: ModelInputs, lastHidden?: Tensor): ModelOutput;
export {};
