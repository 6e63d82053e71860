/** BertConfig: transformers' BertConfig keys and defaults (bert-base-uncased's shape). */
import { type ConfigDict, PretrainedConfig } from "../configuration_utils.js";
export declare class BertConfig extends PretrainedConfig {
    vocab_size: number;
    hidden_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    intermediate_size: number;
    hidden_act: string;
    hidden_dropout_prob: number;
    attention_probs_dropout_prob: number;
    max_position_embeddings: number;
    type_vocab_size: number;
    initializer_range: number;
    layer_norm_eps: number;
    position_embedding_type: string;
    classifier_dropout: number | null;
    use_cache: boolean;
    static defaults: ConfigDict;
    validate(): void;
}
