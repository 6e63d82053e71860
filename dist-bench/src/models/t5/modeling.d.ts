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
import { Tensor } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, Dropout } from "../../nn/index.js";
import { PreTrainedModel, type LoadReport, type ModelInputs, type IdsLike, type TaskKind } from "../modeling_utils.js";
import { type PastKeyValues, type DecoderInputs, type DecoderOutput } from "../decoder_utils.js";
import { T5Config } from "./config.js";
import { T5LayerNorm, T5Attention, type AttentionCache } from "./layers.js";
export * from "./layers.js";
/** layer.0 self-attention, (decoder) layer.1 cross-attention, then the feed-forward. */
export declare class T5Block extends Module {
    readonly isDecoder: boolean;
    readonly layer: ModuleList;
    private readonly selfAttn;
    private readonly crossAttn;
    private readonly ff;
    constructor(config: T5Config, isDecoder: boolean, hasRelativeAttentionBias: boolean);
    get relativeAttention(): T5Attention;
    forward(hidden: Tensor, bias: Tensor, mask: Tensor | null, encoderHidden: Tensor | null, encoderMask: Tensor | null, past?: [Tensor, Tensor], present?: PastKeyValues | null, cross?: AttentionCache): Tensor;
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
export declare class T5Stack extends Module {
    readonly config: T5Config;
    embed_tokens: Embedding;
    readonly isDecoder: boolean;
    readonly block: ModuleList<T5Block>;
    readonly final_layer_norm: T5LayerNorm;
    readonly dropout: Dropout;
    /** Recompute each block in backward (set through the model's gradientCheckpointing). */
    gradientCheckpointing: boolean;
    constructor(config: T5Config, embed_tokens: Embedding, isDecoder: boolean);
    forward(inputs: T5StackInputs): {
        hidden: Tensor;
        present: PastKeyValues | null;
        crossPresent: PastKeyValues | null;
    };
}
/** Inputs of the encoder-decoder models: encoder_outputs skips the encoder (generation runs it once). */
export interface T5Inputs extends DecoderInputs {
    /** The encoder's last hidden state (B, T, d_model), computed once by `encode`. */
    encoder_outputs?: Tensor;
    /** Per decoder layer the cross-attention [key, value] a use_cache forward returned: neither encoder nor encoder_outputs are needed then. */
    cross_attention_cache?: PastKeyValues;
}
/** With use_cache, the decoder's cross-attention keys/values besides its self-attention cache. */
export interface T5Output extends DecoderOutput {
    cross_attention_cache?: PastKeyValues;
}
export declare class T5PreTrainedModel extends PreTrainedModel {
    static configClass: typeof T5Config;
    static baseModelPrefix: string;
    static ignoreMissing: RegExp[];
    static ignoreUnexpected: RegExp[];
    readonly config: T5Config;
    /** An untied lm_head (T5 v1.1) missing from the checkpoint is reported as newly initialised. */
    loadPretrainedTensors(tensors: Map<string, Tensor>, source: string, quiet?: boolean): LoadReport;
}
/** labels shifted right behind decoder_start_token_id, with -100 replaced by pad_token_id. */
export declare function shiftRight(labels: Tensor, decoderStartTokenId: number, padTokenId: number): Tensor;
/**
 * The bare encoder-decoder (transformers' T5Model): last_hidden_state is the decoder's
 * output (B, T_dec, d_model), also given as `logits`; encoder_last_hidden_state the encoder's.
 */
export declare class T5Model extends T5PreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly shared: Embedding;
    readonly encoder: T5Stack;
    readonly decoder: T5Stack;
    constructor(config: T5Config);
    tieWeights(): void;
    /** The encoder's last hidden state (B, T, d_model). */
    encode(inputs: ModelInputs): Tensor;
    forward(inputs: T5Inputs): T5Output;
}
export declare class T5ForConditionalGeneration extends T5PreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly shared: Embedding;
    readonly encoder: T5Stack;
    readonly decoder: T5Stack;
    readonly lm_head: Linear;
    constructor(config: T5Config);
    /** encoder/decoder embed_tokens share `shared`; lm_head too when tie_word_embeddings. */
    tieWeights(): void;
    /** The encoder's last hidden state (B, T, d_model). */
    encode(inputs: ModelInputs): Tensor;
    forward(inputs: T5Inputs): T5Output;
}
/** The encoder alone (sentence embeddings, encoder-only fine-tuning). */
export declare class T5EncoderModel extends T5PreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly shared: Embedding;
    readonly encoder: T5Stack;
    constructor(config: T5Config);
    tieWeights(): void;
    forward(inputs: ModelInputs): DecoderOutput;
}
