/** GPT2Config: Hugging Face's keys and defaults (transformers' configuration_gpt2.py). */
import { PretrainedConfig } from "../configuration_utils.js";
export class GPT2Config extends PretrainedConfig {
    static defaults = {
        model_type: "gpt2",
        vocab_size: 50257,
        n_positions: 1024,
        n_embd: 768,
        n_layer: 12,
        n_head: 12,
        n_inner: null,
        activation_function: "gelu_new",
        resid_pdrop: 0.1,
        embd_pdrop: 0.1,
        attn_pdrop: 0.1,
        layer_norm_epsilon: 1e-5,
        initializer_range: 0.02,
        summary_first_dropout: 0.1,
        scale_attn_weights: true,
        scale_attn_by_inverse_layer_idx: false,
        reorder_and_upcast_attn: false,
        bos_token_id: 50256,
        eos_token_id: 50256,
        tie_word_embeddings: true,
    };
    /** The MLP's inner size (n_inner, or 4 * n_embd when null). */
    get innerDim() {
        return this.n_inner ?? 4 * this.n_embd;
    }
    validate() {
        if (this.n_embd % this.n_head !== 0) {
            throw new RangeError(`[GPT2Config] n_embd (${this.n_embd}) must be divisible by n_head (${this.n_head})`);
        }
    }
}
//# sourceMappingURL=config.js.map