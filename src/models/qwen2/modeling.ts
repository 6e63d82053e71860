/**
 * Qwen2: Llama's architecture with a bias on the q/k/v projections (none on o_proj) and its
 * own defaults. Every module is Llama's.
 */
import type { TaskKind } from "../modeling_utils.js";
import { LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification } from "../llama/modeling.js";
import { Qwen2Config } from "./config.js";

export { Qwen2Config };

export class Qwen2Model extends LlamaModel {
  static override readonly architecture: string = "Qwen2Model";
  static override readonly taskKind: TaskKind = "base";
  static override configClass = Qwen2Config;
}

export class Qwen2ForCausalLM extends LlamaForCausalLM {
  static override readonly architecture: string = "Qwen2ForCausalLM";
  static override readonly taskKind: TaskKind = "causal-lm";
  static override configClass = Qwen2Config;
}

export class Qwen2ForSequenceClassification extends LlamaForSequenceClassification {
  static override readonly architecture: string = "Qwen2ForSequenceClassification";
  static override readonly taskKind: TaskKind = "sequence-classification";
  static override configClass = Qwen2Config;
}
