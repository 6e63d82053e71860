/**
 * Mistral: Llama's architecture (modular_mistral.py subclasses Llama) with its own defaults
 * and a sliding attention window. Every module is Llama's.
 */
import { type ConfigDict } from "../configuration_utils.js";
import { LlamaConfig } from "../llama/config.js";

export class MistralConfig extends LlamaConfig {
  declare sliding_window: number | null;

  static override defaults: ConfigDict = {
    ...LlamaConfig.defaults,
    model_type: "mistral",
    intermediate_size: 14336,
    num_key_value_heads: 8,
    max_position_embeddings: 4096 * 32,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    sliding_window: 4096,
  };

  // differs from Llama: a sliding window. It is not implemented: sequences no longer than the
  // window (where it changes nothing) run, longer ones are refused by LlamaModel.
  override get slidingWindow(): number | null {
    return this.sliding_window ?? null;
  }
}
