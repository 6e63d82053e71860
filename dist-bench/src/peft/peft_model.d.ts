import type { Tensor } from "../tensor/index.js";
import { Module } from "../nn/index.js";
import type { PreTrainedModel, ModelInputs, ModelOutput, TaskKind } from "../models/modeling_utils.js";
import { type PeftConfig, type InjectOptions } from "./config.js";
import { ModuleDict } from "./modules_to_save.js";
/** PEFT's LoraModel/IA3Model: holds the wrapped model under `model`. */
export declare class TunerModel extends Module {
    readonly model: PreTrainedModel;
    constructor(model: PreTrainedModel);
    forward(inputs: ModelInputs): ModelOutput;
}
export interface PeftModelOptions extends InjectOptions {
    adapter_name?: string;
}
export declare class PeftModel extends Module {
    readonly base_model: Module;
    /** The transformers model the adapters sit in. */
    readonly model: PreTrainedModel;
    readonly prompt_encoder: ModuleDict | null;
    readonly peftConfig: Map<string, PeftConfig>;
    readonly isPromptLearning: boolean;
    activeAdapter: string;
    private promptDisabled;
    constructor(model: PreTrainedModel, config: PeftConfig, opts?: PeftModelOptions);
    /** The base model's declared task kind: a PEFT-wrapped causal LM is still a causal LM. */
    get taskKind(): TaskKind;
    /** The transformers config of the base model (the Trainer reads it). */
    get config(): PreTrainedModel["config"];
    get activeConfig(): PeftConfig;
    /** Adds adapter `name` (frozen unless its config's inference_mode is false, as PEFT does); the active adapter is unchanged. */
    addAdapter(name: string, config: PeftConfig, opts?: InjectOptions): void;
    private wrapModulesToSave;
    private adapterLayers;
    private method;
    /** Makes `name` the adapter that runs and (unless inference_mode) the only thing that trains. */
    setAdapter(name: string): void;
    deleteAdapter(name: string): void;
    forward(inputs: ModelInputs): ModelOutput;
    /** [trainable, all] parameter counts as PEFT's get_nb_trainable_parameters (tied tensors once; 4-bit packed bytes ×2). */
    getNbTrainableParameters(): [number, number];
    /** Prints (and returns) PEFT's line: `trainable params: 1,234 || all params: 5,678 || trainable%: 21.7321`. */
    printTrainableParameters(): string;
    /** Runs fn with every adapter off (the base model's behaviour), then turns them back on. */
    disableAdapter<T>(fn: () => T): T;
    private mergeableLayers;
    /** Folds the active adapter into the base weights (the wrappers stay; `unmerge()` undoes it). */
    merge(): void;
    unmerge(): void;
    /**
     * Merges the active adapter, removes every wrapper and returns the plain transformers model,
     * whose savePretrained writes an ordinary checkpoint (trained modules_to_save copies kept).
     */
    mergeAndUnload(opts?: {
        dequantize?: "float32" | "bfloat16";
    }): PreTrainedModel;
    /** Removes the adapters without merging: the base model as it was. */
    unload(): PreTrainedModel;
    private unloadLayers;
    /** Adapter tensors under PEFT's file keys. */
    adapterStateDict(name?: string): Map<string, Tensor>;
    /**
     * Writes adapter_config.json and adapter_model.safetensors (PEFT's names): the "default"
     * adapter in `dir`, any other adapter in `dir/<name>`, as PEFT's save_pretrained does.
     */
    savePretrained(dir: string, opts?: {
        selected_adapters?: string[];
    }): void;
    /** Loads an adapter folder (PEFT's or tunelab's) as adapter `name`; frozen unless is_trainable. */
    loadAdapter(dir: string, name: string, opts?: {
        is_trainable?: boolean;
    } & InjectOptions): void;
    /**
     * Copies the weights saved in `dir` into adapter `name`'s existing tensors (same objects, so
     * an optimizer holding them keeps working: the Trainer's resume path).
     */
    loadAdapterWeights(dir: string, name?: string): void;
    /** PEFT's PeftModel.from_pretrained: wraps `model` with the adapter saved in `dir`. */
    static fromPretrained(model: PreTrainedModel, dir: string, opts?: {
        is_trainable?: boolean;
    } & PeftModelOptions): PeftModel;
    gradientCheckpointingEnable(): void;
}
/** PEFT's get_peft_model: wraps `model` with a new adapter (a config of PEFT's keys, parsed or plain). */
export declare function getPeftModel(model: PreTrainedModel, config: PeftConfig | Record<string, unknown>, opts?: PeftModelOptions): PeftModel;
