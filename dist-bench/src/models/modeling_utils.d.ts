import { type DType, Tensor } from "../tensor/index.js";
import { Module } from "../nn/index.js";
import { type BitsAndBytesConfigInput } from "../quant/config.js";
import { type ResolveOptions } from "../io/hub.js";
import { type ConfigDict, PretrainedConfig } from "./configuration_utils.js";
export type IdsLike = Tensor | number[] | number[][];
export interface ModelInputs {
    input_ids?: IdsLike;
    attention_mask?: IdsLike;
    token_type_ids?: IdsLike;
    position_ids?: IdsLike;
    /** Class ids (B), float targets (B, num_labels) for regression/multi-label, or token labels (B, T). */
    labels?: IdsLike;
    inputs_embeds?: Tensor;
    decoder_input_ids?: IdsLike;
    decoder_attention_mask?: IdsLike;
    start_positions?: IdsLike;
    end_positions?: IdsLike;
    /** Per layer [key, value] prepended to attention (prefix tuning, KV cache). */
    past_key_values?: [Tensor, Tensor][];
}
export interface ModelOutput {
    loss?: Tensor;
    logits: Tensor;
    last_hidden_state?: Tensor;
    pooler_output?: Tensor;
    start_logits?: Tensor;
    end_logits?: Tensor;
    encoder_last_hidden_state?: Tensor;
}
export interface FromPretrainedOptions extends ResolveOptions {
    /** Config overrides: num_labels, id2label, label2id, problem_type, any config key. */
    config?: ConfigDict;
    /** Keep bf16/fp16 checkpoint weights in that dtype (frozen base) instead of float32. */
    torch_dtype?: DType | string | "auto";
    /** Don't print the report of missing / newly initialised weights. */
    quiet?: boolean;
    /**
     * Transformers' BitsAndBytesConfig keys (`load_in_4bit`, `bnb_4bit_quant_type`, ...): linear
     * layers are quantized to 4 bits while loading. A checkpoint saved in 4 bits (its config.json
     * has quantization_config) loads as 4-bit without this option.
     */
    quantization_config?: BitsAndBytesConfigInput;
}
export interface LoadReport {
    missingKeys: string[];
    unexpectedKeys: string[];
    newlyInitialized: string[];
}
/** Converts ids given as arrays or tensors to an int32 tensor. */
export declare function toIds(x: IdsLike, name?: string): Tensor;
/** Converts float inputs (masks, regression labels) to float32. */
export declare function toFloat(x: IdsLike): Tensor;
type ModelClass<M extends PreTrainedModel> = {
    new (config: never): M;
    configClass: typeof PretrainedConfig;
    baseModelPrefix: string;
    name: string;
};
/** What a model's head computes: the Auto class it belongs to (AutoModelForCausalLM: "causal-lm"). */
export type TaskKind = "base" | "sequence-classification" | "token-classification" | "causal-lm" | "masked-lm" | "seq2seq-lm" | "question-answering";
export declare class PreTrainedModel extends Module {
    readonly config: PretrainedConfig;
    /**
     * The Transformers class name written to config.json's `architectures`; declared by each
     * class (constructor.name does not survive a bundler or minifier). A subclass that declares
     * none saves as its nearest declared ancestor.
     */
    static readonly architecture: string | null;
    /** What the model's head computes; a PEFT wrapper forwards it, the Trainer reads it (causal LMs shift labels). */
    static readonly taskKind: TaskKind;
    /** The config class this model reads (set by each family). */
    static configClass: typeof PretrainedConfig;
    /** Prefix of the base model inside task heads ("bert", "transformer", "model"). */
    static baseModelPrefix: string;
    /** Checkpoint keys that may be absent without a warning (tied heads, buffers). */
    static ignoreMissing: RegExp[];
    /** Checkpoint keys that are dropped silently (HF's _keys_to_ignore_on_load_unexpected: a pooler a head has no use for). */
    static ignoreUnexpected: RegExp[];
    loadReport: LoadReport | null;
    private checkpointingFlag;
    constructor(config: PretrainedConfig);
    get taskKind(): TaskKind;
    forward(_inputs: ModelInputs): ModelOutput;
    /** Re-ties shared weights (output embeddings to input embeddings) after loading. */
    tieWeights(): void;
    /**
     * Recompute each layer in backward instead of keeping its activations (training mode only).
     * Setting it reaches every module inside that holds the flag (nested models, encoder
     * stacks), as transformers' gradient_checkpointing_enable does, so a head model and its
     * base model never disagree and no forward needs an extra argument.
     */
    get gradientCheckpointing(): boolean;
    set gradientCheckpointing(on: boolean);
    gradientCheckpointingEnable(): void;
    gradientCheckpointingDisable(): void;
    static fromPretrained<M extends PreTrainedModel>(this: ModelClass<M>, nameOrPath: string, opts?: FromPretrainedOptions): Promise<M>;
    /**
     * Loads checkpoint tensors by name, accepting a base checkpoint for a head model (keys
     * without the base prefix) and a head checkpoint for a base model (prefix stripped).
     */
    loadPretrainedTensors(tensors: Map<string, Tensor>, source: string, quiet?: boolean): LoadReport;
    /**
     * Maps checkpoint keys to this model's keys: a base checkpoint for a head model gains the
     * base prefix, a head checkpoint for a base model loses it. `ckptKeys` are all the keys.
     */
    checkpointKeyMapper(ckptKeys: string[]): (key: string) => string;
    /** Prints Transformers' warnings for unused and newly initialised weights. */
    printLoadReport(source: string): void;
    /**
     * Keys whose parameter may hold bfloat16/float16 values (frozen weights of Linear layers, or
     * of modules whose class sets `static accepts16bitWeight = true`); the rest load as float32.
     */
    lowPrecisionKeys(): Set<string>;
    /** The state dict to save: tied duplicates (e.g. lm_head.weight = embeddings) are saved once. */
    stateDictForSave(): Map<string, Tensor>;
    /**
     * Writes config.json and model.safetensors (sharded past max_shard_size) so that both
     * tunelab and Python transformers load the folder back.
     */
    savePretrained(dir: string, opts?: {
        max_shard_size?: number | string;
    }): void;
}
/** A module that runs its layers under gradient checkpointing when its flag is on (an encoder stack). */
export interface Checkpointable {
    gradientCheckpointing: boolean;
}
/**
 * Runs one block (a transformer layer) under gradient checkpointing when `enabled` and grad
 * mode is on. The generator state is replayed for the recomputation, so dropout masks in
 * backward are the ones forward drew and gradients equal those without checkpointing.
 */
export declare function checkpointBlock(enabled: boolean, fn: (x: Tensor) => Tensor, x: Tensor): Tensor;
export {};
