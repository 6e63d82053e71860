/**
 * Mistral: Llama's architecture (modular_mistral.py subclasses Llama) with its own defaults
 * and a sliding attention window. Every module is Llama's.
 */
import { type ConfigDict } from "./configuration_utils.js";
import type { TaskKind } from "./modeling_utils.js";
import { LlamaConfig } from "./llama/config.js";
import { LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification } from "./llama/modeling.js";
export declare class MistralConfig extends LlamaConfig {
    sliding_window: number | null;
    static defaults: ConfigDict;
    get slidingWindow(): number | null;
}
export declare class MistralModel extends LlamaModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof MistralConfig;
}
export declare class MistralForCausalLM extends LlamaForCausalLM {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof MistralConfig;
}
export declare class MistralForSequenceClassification extends LlamaForSequenceClassification {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof MistralConfig;
}
