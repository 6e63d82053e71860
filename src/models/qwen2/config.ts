/**
 * Qwen2: Llama's architecture with a bias on the q/k/v projections (none on o_proj) and its
 * own defaults. Every module is Llama's.
 */
import { type ConfigDict } from "../configuration_utils.js";
import { LlamaConfig } from "../llama/config.js";

export class Qwen2Config extends LlamaConfig {
  declare use_sliding_window: boolean;
  declare sliding_window: number | null;
  declare max_window_layers: number;

  static override defaults: ConfigDict = {
    ...LlamaConfig.defaults,
    model_type: "qwen2",
    vocab_size: 151936,
    intermediate_size: 22016,
    num_key_value_heads: 32,
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    use_sliding_window: false,
    sliding_window: 4096,
    max_window_layers: 28,
    bos_token_id: null,
    eos_token_id: null,
  };

  // differs from Llama: q_proj, k_proj and v_proj carry a bias; o_proj has none.
  override get qkvBias(): boolean {
    return true;
  }

  // differs from Llama: an optional sliding window (off in released Qwen2 checkpoints);
  // not implemented, so longer sequences than the window are refused when it is on.
  override get slidingWindow(): number | null {
    return this.use_sliding_window ? this.sliding_window ?? null : null;
  }
}
