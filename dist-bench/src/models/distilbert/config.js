/**
 * DistilBertConfig: transformers' own key names (dim, n_layers, n_heads, hidden_dim), with
 * the generic names (hidden_size, num_hidden_layers, num_attention_heads) as aliases, as
 * transformers' attribute_map gives them. Aliases are accessors, so config.json keeps the
 * DistilBERT keys only.
 */
import { PretrainedConfig } from "../configuration_utils.js";
export class DistilBertConfig extends PretrainedConfig {
    static defaults = {
        model_type: "distilbert",
        vocab_size: 30522,
        max_position_embeddings: 512,
        sinusoidal_pos_embds: false,
        n_layers: 6,
        n_heads: 12,
        dim: 768,
        hidden_dim: 3072,
        dropout: 0.1,
        attention_dropout: 0.1,
        activation: "gelu",
        initializer_range: 0.02,
        qa_dropout: 0.1,
        seq_classif_dropout: 0.2,
        pad_token_id: 0,
    };
    get hidden_size() {
        return this.dim;
    }
    set hidden_size(v) {
        this.dim = v;
    }
    get num_attention_heads() {
        return this.n_heads;
    }
    set num_attention_heads(v) {
        this.n_heads = v;
    }
    get num_hidden_layers() {
        return this.n_layers;
    }
    set num_hidden_layers(v) {
        this.n_layers = v;
    }
    validate() {
        if (this.dim % this.n_heads !== 0) {
            throw new RangeError(`[DistilBertConfig] dim (${this.dim}) is not a multiple of n_heads (${this.n_heads}); choose a head count that divides dim`);
        }
    }
}
//# sourceMappingURL=config.js.map