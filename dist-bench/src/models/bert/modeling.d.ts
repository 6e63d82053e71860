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
import { type Tensor } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, LayerNorm, Dropout, type Activation } from "../../nn/index.js";
import { PreTrainedModel, type ModelInputs, type ModelOutput, type TaskKind } from "../modeling_utils.js";
import { type PastKeyValues } from "../decoder_utils.js";
import { BertConfig } from "./config.js";
/** The padding row of an embedding table, when the config names one inside it. */
export declare function paddingIndex(padTokenId: number | null | undefined, size: number): number | null;
/** What every encoder's embeddings module takes: ids (B, T) or embeddings (B, T, C). */
export interface EmbeddingInputs {
    inputIds: Tensor | null;
    tokenTypeIds: Tensor | null;
    positionIds: Tensor | null;
    inputsEmbeds: Tensor | null;
    /** Positions already held by past_key_values: default position ids start here. */
    pastLength?: number;
}
export declare class BertEmbeddings extends Module {
    readonly word_embeddings: Embedding;
    readonly position_embeddings: Embedding;
    readonly token_type_embeddings: Embedding;
    readonly LayerNorm: LayerNorm;
    readonly dropout: Dropout;
    constructor(config: BertConfig, positionPaddingIdx?: number | null);
    /** Position ids when none are given: arange(past, past + T) for every row. */
    protected defaultPositionIds(inputs: EmbeddingInputs, T: number): Tensor;
    forward(inputs: EmbeddingInputs): Tensor;
}
export declare class BertSelfAttention extends Module {
    readonly config: BertConfig;
    readonly numHeads: number;
    readonly headDim: number;
    readonly query: Linear;
    readonly key: Linear;
    readonly value: Linear;
    constructor(config: BertConfig);
    /** (B, T, C) -> (B, H, T, D) */
    private heads;
    /**
     * hidden (B, T, C), mask (B, P + T) 1 = attend, past [key, value] (1 or B, H, P, D) put in
     * front of this layer's keys and values. softmax(q k^T / sqrt(D) + mask) v, heads merged back.
     */
    forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor]): Tensor;
}
/** dense + dropout + residual + LayerNorm, after attention (BertSelfOutput) or the MLP (BertOutput). */
declare class DenseResidualNorm extends Module {
    readonly dense: Linear;
    readonly LayerNorm: LayerNorm;
    readonly dropout: Dropout;
    constructor(config: BertConfig, inFeatures: number);
    forward(hidden: Tensor, residual: Tensor): Tensor;
}
export declare class BertSelfOutput extends DenseResidualNorm {
    constructor(config: BertConfig);
}
export declare class BertAttention extends Module {
    readonly selfAttention: BertSelfAttention;
    readonly output: BertSelfOutput;
    constructor(config: BertConfig);
    forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor]): Tensor;
}
export declare class BertIntermediate extends Module {
    readonly dense: Linear;
    readonly act: Activation;
    constructor(config: BertConfig);
    forward(hidden: Tensor): Tensor;
}
export declare class BertOutput extends DenseResidualNorm {
    constructor(config: BertConfig);
}
export declare class BertLayer extends Module {
    readonly attention: BertAttention;
    readonly intermediate: BertIntermediate;
    readonly output: BertOutput;
    constructor(config: BertConfig);
    forward(hidden: Tensor, mask: Tensor | null, past?: [Tensor, Tensor]): Tensor;
}
export declare class BertEncoder extends Module {
    readonly layer: ModuleList<BertLayer>;
    /** Recompute each layer in backward instead of keeping its activations (set through the model's flag). */
    gradientCheckpointing: boolean;
    constructor(config: BertConfig);
    forward(hidden: Tensor, mask: Tensor | null, past?: PastKeyValues): Tensor;
}
/**
 * Runs encoder layers in order, layer i over past[i] when given. Under gradient checkpointing
 * the past keys/values are inputs of the checkpointed block, so their gradients (prefix
 * tuning's) flow through the recomputation. Shared by BERT, RoBERTa and DistilBERT.
 */
export declare function runEncoderLayers(layers: readonly {
    forward(h: Tensor, mask: Tensor | null, past?: [Tensor, Tensor]): Tensor;
}[], hidden: Tensor, mask: Tensor | null, past: PastKeyValues | undefined, checkpointing: boolean): Tensor;
/**
 * The past keys/values and the key padding mask (B, P + T) an encoder runs with: checks the
 * layer count and the position budget, and widens a (B, T) mask with P ones in front.
 */
export declare function encoderPast(inputs: ModelInputs, B: number, T: number, numLayers: number, maxPositions: number, where: string): {
    past: PastKeyValues | undefined;
    pastLen: number;
    mask: Tensor | null;
};
export declare class BertPooler extends Module {
    readonly dense: Linear;
    constructor(config: BertConfig);
    /** tanh(dense(h[:, 0])): the [CLS] token's state. */
    forward(hidden: Tensor): Tensor;
}
/** Shared by every BERT-family model: config class and base prefix. */
export declare class BertPreTrainedModel extends PreTrainedModel {
    static configClass: typeof BertConfig;
    static baseModelPrefix: string;
    readonly config: BertConfig;
}
/** Converts the id-like inputs an encoder reads (input_ids or inputs_embeds, token types, positions); encoderPast reads the mask. */
export declare function encoderInputs(inputs: ModelInputs): {
    ids: Tensor | null;
    embeds: Tensor | null;
    tokenTypes: Tensor | null;
    positions: Tensor | null;
};
/**
 * The bare encoder. Returns last_hidden_state (B, T, C) and pooler_output (B, C) when it
 * has a pooler; `logits` repeats last_hidden_state so generic code can treat every model alike.
 */
export declare class BertModel extends BertPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static baseModelPrefix: string;
    readonly embeddings: BertEmbeddings;
    readonly encoder: BertEncoder;
    readonly pooler: BertPooler | null;
    constructor(config: BertConfig, addPoolingLayer?: boolean, embeddings?: BertEmbeddings);
    forward(inputs: ModelInputs): ModelOutput & {
        last_hidden_state: Tensor;
    };
}
export {};
