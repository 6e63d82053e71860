/** LlamaConfig: Hugging Face's keys and defaults (transformers' configuration_llama.py). */
import { PretrainedConfig } from "../configuration_utils.js";
export class LlamaConfig extends PretrainedConfig {
    static defaults = {
        model_type: "llama",
        vocab_size: 32000,
        hidden_size: 4096,
        intermediate_size: 11008,
        num_hidden_layers: 32,
        num_attention_heads: 32,
        hidden_act: "silu",
        max_position_embeddings: 2048,
        initializer_range: 0.02,
        rms_norm_eps: 1e-6,
        rope_theta: 10000,
        rope_scaling: null,
        attention_bias: false,
        attention_dropout: 0,
        mlp_bias: false,
        bos_token_id: 1,
        eos_token_id: 2,
        tie_word_embeddings: false,
    };
    /** Whether q/k/v projections carry a bias (attention_bias in Llama). */
    get qkvBias() {
        return this.attention_bias;
    }
    /** The sliding attention window, or null for full causal attention (Llama has none). */
    get slidingWindow() {
        return null;
    }
    validate() {
        // Derived defaults, as LlamaConfig.__init__ fills them in.
        if (this.num_key_value_heads === undefined || this.num_key_value_heads === null)
            this.num_key_value_heads = this.num_attention_heads;
        if (this.head_dim === undefined || this.head_dim === null) {
            if (this.hidden_size % this.num_attention_heads !== 0) {
                throw new RangeError(`[${this.constructor.name}] hidden_size (${this.hidden_size}) must be divisible by num_attention_heads (${this.num_attention_heads}), or set head_dim`);
            }
            this.head_dim = this.hidden_size / this.num_attention_heads;
        }
        if (this.num_attention_heads % this.num_key_value_heads !== 0) {
            throw new RangeError(`[${this.constructor.name}] num_attention_heads (${this.num_attention_heads}) must be a multiple of num_key_value_heads (${this.num_key_value_heads})`);
        }
        if (this.head_dim % 2 !== 0)
            throw new RangeError(`[${this.constructor.name}] head_dim (${this.head_dim}) must be even for rotary embeddings`);
    }
}
//# sourceMappingURL=config.js.map