/** T5Config: Hugging Face's keys and defaults (transformers' configuration_t5.py). */
import { PretrainedConfig, type ConfigDict } from "../configuration_utils.js";
export declare class T5Config extends PretrainedConfig {
    vocab_size: number;
    d_model: number;
    d_kv: number;
    d_ff: number;
    num_layers: number;
    /** Defaults to num_layers. */
    num_decoder_layers: number;
    num_heads: number;
    relative_attention_num_buckets: number;
    relative_attention_max_distance: number;
    dropout_rate: number;
    layer_norm_epsilon: number;
    initializer_factor: number;
    /** "relu" (T5 v1.0), "gated-gelu" (v1.1), or "[gated-]<act>". */
    feed_forward_proj: string;
    decoder_start_token_id: number;
    is_encoder_decoder: boolean;
    static defaults: ConfigDict;
    /** Whether the feed-forward is gated (DenseGatedActDense: wi_0, wi_1, wo). */
    get isGatedAct(): boolean;
    /** The feed-forward activation's ACT2FN name ("gated-gelu" means gelu_new, as in transformers). */
    get denseActFn(): string;
    validate(): void;
}
