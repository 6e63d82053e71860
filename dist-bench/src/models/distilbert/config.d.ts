/**
 * DistilBertConfig: transformers' own key names (dim, n_layers, n_heads, hidden_dim), with
 * the generic names (hidden_size, num_hidden_layers, num_attention_heads) as aliases, as
 * transformers' attribute_map gives them. Aliases are accessors, so config.json keeps the
 * DistilBERT keys only.
 */
import { type ConfigDict, PretrainedConfig } from "../configuration_utils.js";
export declare class DistilBertConfig extends PretrainedConfig {
    vocab_size: number;
    max_position_embeddings: number;
    sinusoidal_pos_embds: boolean;
    n_layers: number;
    n_heads: number;
    dim: number;
    hidden_dim: number;
    dropout: number;
    attention_dropout: number;
    activation: string;
    initializer_range: number;
    qa_dropout: number;
    seq_classif_dropout: number;
    static defaults: ConfigDict;
    get hidden_size(): number;
    set hidden_size(v: number);
    get num_attention_heads(): number;
    set num_attention_heads(v: number);
    get num_hidden_layers(): number;
    set num_hidden_layers(v: number);
    validate(): void;
}
