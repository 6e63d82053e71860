/**
 * Qwen2: Llama's architecture with a bias on the q/k/v projections (none on o_proj) and its
 * own defaults. Every module is Llama's.
 */
import { type ConfigDict } from "./configuration_utils.js";
import type { TaskKind } from "./modeling_utils.js";
import { LlamaConfig } from "./llama/config.js";
import { LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification } from "./llama/modeling.js";
export declare class Qwen2Config extends LlamaConfig {
    use_sliding_window: boolean;
    sliding_window: number | null;
    max_window_layers: number;
    static defaults: ConfigDict;
    get qkvBias(): boolean;
    get slidingWindow(): number | null;
}
export declare class Qwen2Model extends LlamaModel {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof Qwen2Config;
}
export declare class Qwen2ForCausalLM extends LlamaForCausalLM {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof Qwen2Config;
}
export declare class Qwen2ForSequenceClassification extends LlamaForSequenceClassification {
    static readonly architecture: string;
    static readonly taskKind: TaskKind;
    static configClass: typeof Qwen2Config;
}
