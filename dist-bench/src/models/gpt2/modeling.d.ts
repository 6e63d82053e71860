/**
 * GPT-2 as transformers' modeling_gpt2.py builds it: pre-LN blocks of causal self-attention
 * and a gelu_new MLP, over learned position embeddings, with a final ln_f. Projections are
 * Conv1D layers whose weight is stored (in, out). Task heads: GPT2LMHeadModel (lm_head tied
 * to wte) and GPT2ForSequenceClassification (score over the last non-pad token).
 */
import { Tensor } from "../../tensor/index.js";
import { Module, ModuleList, LayerNorm, Dropout, Linear, Embedding } from "../../nn/index.js";
import { PreTrainedModel, type TaskKind } from "../modeling_utils.js";
import { GPT2Config } from "./config.js";
import { type PastKeyValues, type DecoderInputs, type DecoderOutput } from "../decoder_utils.js";
/** transformers' Conv1D: y = x @ W + b with W stored (in, out) — a transposed Linear. */
export declare class Conv1D extends Module {
    readonly nf: number;
    readonly nx: number;
    /** A frozen weight may stay bfloat16/float16 (linear() reads it in either layout). */
    static accepts16bitWeight: boolean;
    /** Declared so PEFT knows the (in, out) layout without reading class names. */
    readonly weightLayout: "in_out";
    weight: Tensor;
    bias: Tensor;
    constructor(nf: number, nx: number, std?: number);
    forward(x: Tensor): Tensor;
}
/** Per-forward context every layer reads: masks and the cache being built. */
interface AttentionContext {
    mask: Tensor | null;
    present: PastKeyValues | null;
}
export declare class GPT2Attention extends Module {
    readonly config: GPT2Config;
    readonly layerIdx: number;
    readonly c_attn: Conv1D;
    readonly c_proj: Conv1D;
    readonly resid_dropout: Dropout;
    private readonly headDim;
    private readonly scale;
    constructor(config: GPT2Config, layerIdx: number);
    /** (B, T, C) → (B, H, T, D): heads are consecutive head_dim slices. */
    private splitHeads;
    forward(hidden: Tensor, ctx: AttentionContext, past?: [Tensor, Tensor]): Tensor;
}
export declare class GPT2MLP extends Module {
    readonly c_fc: Conv1D;
    readonly c_proj: Conv1D;
    readonly dropout: Dropout;
    private readonly act;
    constructor(config: GPT2Config);
    forward(x: Tensor): Tensor;
}
export declare class GPT2Block extends Module {
    readonly ln_1: LayerNorm;
    readonly attn: GPT2Attention;
    readonly ln_2: LayerNorm;
    readonly mlp: GPT2MLP;
    constructor(config: GPT2Config, layerIdx: number);
    forward(hidden: Tensor, ctx: AttentionContext, past?: [Tensor, Tensor]): Tensor;
}
export declare class GPT2PreTrainedModel extends PreTrainedModel {
    static configClass: typeof GPT2Config;
    static baseModelPrefix: string;
    static ignoreMissing: RegExp[];
    static ignoreUnexpected: RegExp[];
    readonly config: GPT2Config;
}
export declare class GPT2Model extends GPT2PreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly wte: Embedding;
    readonly wpe: Embedding;
    readonly drop: Dropout;
    readonly h: ModuleList<GPT2Block>;
    readonly ln_f: LayerNorm;
    constructor(config: GPT2Config);
    forward(inputs: DecoderInputs): DecoderOutput;
}
export declare class GPT2LMHeadModel extends GPT2PreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly transformer: GPT2Model;
    readonly lm_head: Linear;
    constructor(config: GPT2Config);
    /** lm_head shares wte's weight (GPT-2 always ties). */
    tieWeights(): void;
    forward(inputs: DecoderInputs): DecoderOutput;
}
export declare class GPT2ForSequenceClassification extends GPT2PreTrainedModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    readonly transformer: GPT2Model;
    readonly score: Linear;
    constructor(config: GPT2Config);
    forward(inputs: DecoderInputs): DecoderOutput;
}
export {};
