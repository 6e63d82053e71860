export interface LlamaShape {
    hidden_size: number;
    intermediate_size: number;
    num_hidden_layers: number;
    num_attention_heads: number;
    num_key_value_heads: number;
    vocab_size: number;
}
export declare const SHAPES: Record<string, LlamaShape>;
export declare function parameterCount(s: LlamaShape): number;
/**
 * Writes config.json and bf16 shards of at most `shardBytes` into dir (skipped when a
 * complete copy is there). Weights are slices of a random pool at varying offsets.
 */
export declare function writeLlamaCheckpoint(dir: string, shape: LlamaShape, shardBytes?: number): void;
