/** T5Config: Hugging Face's keys and defaults (transformers' configuration_t5.py). */
import { PretrainedConfig } from "../configuration_utils.js";
export class T5Config extends PretrainedConfig {
    static defaults = {
        model_type: "t5",
        vocab_size: 32128,
        d_model: 512,
        d_kv: 64,
        d_ff: 2048,
        num_layers: 6,
        num_decoder_layers: null,
        num_heads: 8,
        relative_attention_num_buckets: 32,
        relative_attention_max_distance: 128,
        dropout_rate: 0.1,
        layer_norm_epsilon: 1e-6,
        initializer_factor: 1.0,
        feed_forward_proj: "relu",
        is_encoder_decoder: true,
        pad_token_id: 0,
        eos_token_id: 1,
        decoder_start_token_id: 0,
        tie_word_embeddings: true,
    };
    /** Whether the feed-forward is gated (DenseGatedActDense: wi_0, wi_1, wo). */
    get isGatedAct() {
        return this.feed_forward_proj.split("-")[0] === "gated";
    }
    /** The feed-forward activation's ACT2FN name ("gated-gelu" means gelu_new, as in transformers). */
    get denseActFn() {
        if (this.feed_forward_proj === "gated-gelu")
            return "gelu_new";
        const parts = this.feed_forward_proj.split("-");
        return parts[parts.length - 1];
    }
    validate() {
        if (this.num_decoder_layers === undefined || this.num_decoder_layers === null)
            this.num_decoder_layers = this.num_layers;
        const parts = this.feed_forward_proj.split("-");
        if ((parts.length > 1 && parts[0] !== "gated") || parts.length > 2) {
            throw new RangeError(`[T5Config] feed_forward_proj "${this.feed_forward_proj}" is not valid: use "<act>" or "gated-<act>", e.g. "relu" or "gated-gelu"`);
        }
        if (this.decoder_start_token_id === undefined || this.decoder_start_token_id === null) {
            this.decoder_start_token_id = this.pad_token_id ?? 0;
        }
    }
}
//# sourceMappingURL=config.js.map