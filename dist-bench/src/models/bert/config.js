/** BertConfig: transformers' BertConfig keys and defaults (bert-base-uncased's shape). */
import { PretrainedConfig } from "../configuration_utils.js";
export class BertConfig extends PretrainedConfig {
    static defaults = {
        model_type: "bert",
        vocab_size: 30522,
        hidden_size: 768,
        num_hidden_layers: 12,
        num_attention_heads: 12,
        intermediate_size: 3072,
        hidden_act: "gelu",
        hidden_dropout_prob: 0.1,
        attention_probs_dropout_prob: 0.1,
        max_position_embeddings: 512,
        type_vocab_size: 2,
        initializer_range: 0.02,
        layer_norm_eps: 1e-12,
        pad_token_id: 0,
        position_embedding_type: "absolute",
        use_cache: true,
        classifier_dropout: null,
    };
    validate() {
        const name = this.constructor.name;
        if (this.hidden_size % this.num_attention_heads !== 0) {
            throw new RangeError(`[${name}] hidden_size (${this.hidden_size}) is not a multiple of num_attention_heads (${this.num_attention_heads}); ` +
                "choose a head count that divides the hidden size");
        }
        if (this.position_embedding_type !== "absolute") {
            throw new Error(`[${name}] position_embedding_type "${this.position_embedding_type}" is not supported; only "absolute" is (relative_key variants are not implemented)`);
        }
    }
}
//# sourceMappingURL=config.js.map