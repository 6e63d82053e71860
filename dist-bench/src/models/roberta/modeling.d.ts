/**
 * RoBERTa: BERT's encoder with its own embeddings (positions count real tokens from
 * padding_idx + 1, so position ids depend on where the padding is) and its own heads
 * (classifier.dense/out_proj on the first token, lm_head). Token classification and QA
 * are BERT's heads under the "roberta" prefix.
 */
import { type Tensor } from "../../tensor/index.js";
import { Module, Linear, LayerNorm, Dropout } from "../../nn/index.js";
import type { ModelInputs, ModelOutput, TaskKind } from "../modeling_utils.js";
import { BertEmbeddings, BertModel, BertPreTrainedModel, type EmbeddingInputs } from "../bert/modeling.js";
import { BertForQuestionAnswering, BertForTokenClassification } from "../bert/heads.js";
import { RobertaConfig } from "./config.js";
/**
 * transformers' create_position_ids_from_input_ids: padding tokens get padding_idx, real
 * tokens padding_idx + 1, + 2, ... counted per row over non-padding ids.
 */
export declare function createPositionIdsFromInputIds(inputIds: Tensor, paddingIdx: number, pastLength?: number): Tensor;
export declare class RobertaEmbeddings extends BertEmbeddings {
    readonly paddingIdx: number;
    constructor(config: RobertaConfig);
    protected defaultPositionIds(inputs: EmbeddingInputs, T: number): Tensor;
}
export declare class RobertaPreTrainedModel extends BertPreTrainedModel {
    static configClass: typeof RobertaConfig;
    static baseModelPrefix: string;
}
export declare class RobertaModel extends BertModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof RobertaConfig;
    static baseModelPrefix: string;
    constructor(config: RobertaConfig, addPoolingLayer?: boolean);
}
/** classifier: dense + tanh on the first token (<s>), then out_proj; dropout before each. */
export declare class RobertaClassificationHead extends Module {
    readonly dense: Linear;
    readonly dropout: Dropout;
    readonly out_proj: Linear;
    constructor(config: RobertaConfig);
    forward(features: Tensor): Tensor;
}
export declare class RobertaForSequenceClassification extends RobertaPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static ignoreUnexpected: RegExp[];
    readonly roberta: RobertaModel;
    readonly classifier: RobertaClassificationHead;
    constructor(config: RobertaConfig);
    forward(inputs: ModelInputs): ModelOutput;
}
export declare class RobertaForTokenClassification extends BertForTokenClassification {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof RobertaConfig;
    static baseModelPrefix: string;
    static baseModelClass: typeof RobertaModel;
}
export declare class RobertaForQuestionAnswering extends BertForQuestionAnswering {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof RobertaConfig;
    static baseModelPrefix: string;
    static baseModelClass: typeof RobertaModel;
}
/** lm_head: dense -> gelu -> layer_norm -> decoder (tied to word_embeddings) + lm_head.bias. */
export declare class RobertaLMHead extends Module {
    readonly dense: Linear;
    readonly layer_norm: LayerNorm;
    readonly decoder: Linear;
    bias: Tensor;
    constructor(config: RobertaConfig);
    tieBias(): void;
    forward(features: Tensor): Tensor;
}
export declare class RobertaForMaskedLM extends RobertaPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static ignoreMissing: RegExp[];
    static ignoreUnexpected: RegExp[];
    readonly roberta: RobertaModel;
    readonly lm_head: RobertaLMHead;
    constructor(config: RobertaConfig);
    tieWeights(): void;
    forward(inputs: ModelInputs): ModelOutput;
}
