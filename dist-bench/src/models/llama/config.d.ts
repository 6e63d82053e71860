/** LlamaConfig: Hugging Face's keys and defaults (transformers' configuration_llama.py). */
import { PretrainedConfig, type ConfigDict } from "../configuration_utils.js";
import type { RopeScaling } from "../../tensor/index.js";
export declare class LlamaConfig extends PretrainedConfig {
    vocab_size: number;
    hidden_size: number;
    intermediate_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    /** Defaults to num_attention_heads (multi-head attention); fewer is grouped-query attention. */
    num_key_value_heads: number;
    /** Defaults to hidden_size / num_attention_heads. */
    head_dim: number;
    hidden_act: string;
    max_position_embeddings: number;
    initializer_range: number;
    rms_norm_eps: number;
    rope_theta: number;
    rope_scaling: RopeScaling | null;
    attention_bias: boolean;
    attention_dropout: number;
    mlp_bias: boolean;
    static defaults: ConfigDict;
    /** Whether q/k/v projections carry a bias (attention_bias in Llama). */
    get qkvBias(): boolean;
    /** The sliding attention window, or null for full causal attention (Llama has none). */
    get slidingWindow(): number | null;
    validate(): void;
}
