/**
 * Llama as transformers' modeling_llama.py builds it: RMSNorm, rotary position embeddings in
 * the rotate_half layout, grouped-query attention, a SwiGLU MLP, pre-norm decoder layers,
 * then the task heads (LlamaForCausalLM, LlamaForSequenceClassification). Mistral and Qwen2
 * reuse every class here with their own config (mistral.ts, qwen2.ts).
 */
import { Tensor } from "../../tensor/index.js";
import { Module, ModuleList, Linear, Embedding, RMSNorm } from "../../nn/index.js";
import { PreTrainedModel, type LoadReport, type TaskKind } from "../modeling_utils.js";
import { LlamaConfig } from "./config.js";
import { type PastKeyValues, type DecoderInputs, type DecoderOutput } from "../decoder_utils.js";
/** Llama's RMSNorm: w · x / sqrt(mean(x²) + eps), key "weight". */
export declare class LlamaRMSNorm extends RMSNorm {
}
/**
 * cos/sin tables (P, head_dim/2) from rope_theta and rope_scaling, grown on demand (never
 * saved: transformers' inv_freq is a non-persistent buffer too).
 */
export declare class LlamaRotaryEmbedding {
    readonly config: LlamaConfig;
    private cos;
    private sin;
    constructor(config: LlamaConfig);
    /** Tables covering positions [0, n). */
    tables(n: number): {
        cos: Tensor;
        sin: Tensor;
    };
}
export declare class LlamaMLP extends Module {
    readonly gate_proj: Linear;
    readonly up_proj: Linear;
    readonly down_proj: Linear;
    private readonly act;
    constructor(config: LlamaConfig);
    forward(x: Tensor): Tensor;
}
/** What every layer of one forward reads: rotary tables, positions, the key mask, the cache being built. */
interface LayerContext {
    cos: Tensor;
    sin: Tensor;
    positions: Tensor;
    mask: Tensor | null;
    present: PastKeyValues | null;
}
export declare class LlamaAttention extends Module {
    readonly config: LlamaConfig;
    readonly layerIdx: number;
    readonly q_proj: Linear;
    readonly k_proj: Linear;
    readonly v_proj: Linear;
    readonly o_proj: Linear;
    private readonly heads;
    private readonly kvHeads;
    private readonly headDim;
    constructor(config: LlamaConfig, layerIdx: number);
    forward(hidden: Tensor, ctx: LayerContext, past?: [Tensor, Tensor]): Tensor;
}
export declare class LlamaDecoderLayer extends Module {
    readonly self_attn: LlamaAttention;
    readonly mlp: LlamaMLP;
    readonly input_layernorm: LlamaRMSNorm;
    readonly post_attention_layernorm: LlamaRMSNorm;
    constructor(config: LlamaConfig, layerIdx: number);
    forward(hidden: Tensor, ctx: LayerContext, past?: [Tensor, Tensor]): Tensor;
}
export declare class LlamaPreTrainedModel extends PreTrainedModel {
    static configClass: typeof LlamaConfig;
    static baseModelPrefix: string;
    static ignoreMissing: RegExp[];
    readonly config: LlamaConfig;
    /** lm_head.weight may be absent only when tied; otherwise it is reported as newly initialised. */
    loadPretrainedTensors(tensors: Map<string, Tensor>, source: string, quiet?: boolean): LoadReport;
}
export declare class LlamaModel extends LlamaPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly embed_tokens: Embedding;
    readonly layers: ModuleList<LlamaDecoderLayer>;
    readonly norm: LlamaRMSNorm;
    readonly rotary_emb: LlamaRotaryEmbedding;
    constructor(config: LlamaConfig);
    forward(inputs: DecoderInputs): DecoderOutput;
    /**
     * Mistral-style sliding-window attention is not implemented; it changes nothing while the
     * whole sequence fits in the window, so only longer sequences are refused.
     */
    private checkSlidingWindow;
}
export declare class LlamaForCausalLM extends LlamaPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly model: LlamaModel;
    readonly lm_head: Linear;
    constructor(config: LlamaConfig);
    tieWeights(): void;
    forward(inputs: DecoderInputs): DecoderOutput;
}
export declare class LlamaForSequenceClassification extends LlamaPreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly model: LlamaModel;
    readonly score: Linear;
    constructor(config: LlamaConfig);
    forward(inputs: DecoderInputs): DecoderOutput;
}
export {};
