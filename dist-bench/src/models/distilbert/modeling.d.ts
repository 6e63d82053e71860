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
import { type Tensor } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, LayerNorm, Dropout, type Activation } from "../../nn/index.js";
import { PreTrainedModel, type ModelInputs, type ModelOutput, type TaskKind } from "../modeling_utils.js";
import { type PastKeyValues } from "../decoder_utils.js";
import { DistilBertConfig } from "./config.js";
export declare class DistilBertEmbeddings extends Module {
    readonly word_embeddings: Embedding;
    readonly position_embeddings: Embedding;
    readonly LayerNorm: LayerNorm;
    readonly dropout: Dropout;
    constructor(config: DistilBertConfig);
    forward(inputIds: Tensor | null, inputsEmbeds: Tensor | null, positionIds: Tensor | null, pastLength?: number): Tensor;
}
export declare class MultiHeadSelfAttention extends Module {
    readonly config: DistilBertConfig;
    readonly numHeads: number;
    readonly headDim: number;
    readonly q_lin: Linear;
    readonly k_lin: Linear;
    readonly v_lin: Linear;
    readonly out_lin: Linear;
    constructor(config: DistilBertConfig);
    private heads;
    /** hidden (B, T, C), mask (B, P + T) 1 = attend, past [key, value] (1 or B, H, P, D) in front of the keys and values. */
    forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor]): Tensor;
}
export declare class FFN extends Module {
    readonly lin1: Linear;
    readonly lin2: Linear;
    readonly dropout: Dropout;
    readonly act: Activation;
    constructor(config: DistilBertConfig);
    forward(x: Tensor): Tensor;
}
export declare class TransformerBlock extends Module {
    readonly attention: MultiHeadSelfAttention;
    readonly sa_layer_norm: LayerNorm;
    readonly ffn: FFN;
    readonly output_layer_norm: LayerNorm;
    constructor(config: DistilBertConfig);
    forward(x: Tensor, mask: Tensor | null, past?: [Tensor, Tensor]): Tensor;
}
export declare class Transformer extends Module {
    readonly layer: ModuleList<TransformerBlock>;
    gradientCheckpointing: boolean;
    constructor(config: DistilBertConfig);
    forward(x: Tensor, mask: Tensor | null, past?: PastKeyValues): Tensor;
}
export declare class DistilBertPreTrainedModel extends PreTrainedModel {
    static configClass: typeof DistilBertConfig;
    static baseModelPrefix: string;
    readonly config: DistilBertConfig;
}
/** The bare encoder: last_hidden_state (B, T, dim), also given as `logits`. */
export declare class DistilBertModel extends DistilBertPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly embeddings: DistilBertEmbeddings;
    readonly transformer: Transformer;
    constructor(config: DistilBertConfig);
    forward(inputs: ModelInputs): ModelOutput & {
        last_hidden_state: Tensor;
    };
}
/** Heads hold the encoder under "distilbert". */
declare abstract class DistilBertHead extends DistilBertPreTrainedModel {
    readonly distilbert: DistilBertModel;
    constructor(config: DistilBertConfig);
}
export declare class DistilBertForSequenceClassification extends DistilBertHead {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly pre_classifier: Linear;
    readonly classifier: Linear;
    readonly dropout: Dropout;
    constructor(config: DistilBertConfig);
    forward(inputs: ModelInputs): ModelOutput;
}
export declare class DistilBertForMaskedLM extends DistilBertHead {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static ignoreMissing: RegExp[];
    readonly vocab_transform: Linear;
    readonly act: Activation;
    readonly vocab_layer_norm: LayerNorm;
    readonly vocab_projector: Linear;
    constructor(config: DistilBertConfig);
    tieWeights(): void;
    forward(inputs: ModelInputs): ModelOutput;
}
export declare class DistilBertForTokenClassification extends DistilBertHead {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly dropout: Dropout;
    readonly classifier: Linear;
    constructor(config: DistilBertConfig);
    forward(inputs: ModelInputs): ModelOutput;
}
export declare class DistilBertForQuestionAnswering extends DistilBertHead {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly qa_outputs: Linear;
    readonly dropout: Dropout;
    constructor(config: DistilBertConfig);
    forward(inputs: ModelInputs): ModelOutput;
}
export {};
