/** GPT2Config: Hugging Face's keys and defaults (transformers' configuration_gpt2.py). */
import { PretrainedConfig, type ConfigDict } from "../configuration_utils.js";
export declare class GPT2Config extends PretrainedConfig {
    vocab_size: number;
    n_positions: number;
    n_embd: number;
    n_layer: number;
    n_head: number;
    /** MLP inner size; null means 4 * n_embd. */
    n_inner: number | null;
    activation_function: string;
    resid_pdrop: number;
    embd_pdrop: number;
    attn_pdrop: number;
    layer_norm_epsilon: number;
    initializer_range: number;
    scale_attn_weights: boolean;
    scale_attn_by_inverse_layer_idx: boolean;
    reorder_and_upcast_attn: boolean;
    summary_first_dropout: number;
    static defaults: ConfigDict;
    /** The MLP's inner size (n_inner, or 4 * n_embd when null). */
    get innerDim(): number;
    validate(): void;
}
