/**
 * Mistral: Llama's architecture (modular_mistral.py subclasses Llama) with its own defaults
 * and a sliding attention window. Every module is Llama's.
 */
import type { TaskKind } from "../modeling_utils.js";
import { LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification } from "../llama/modeling.js";
import { MistralConfig } from "./config.js";

export { MistralConfig };

export class MistralModel extends LlamaModel {
  static override readonly architecture: string = "MistralModel";
  static override readonly taskKind: TaskKind = "base";
  static override configClass = MistralConfig;
}

export class MistralForCausalLM extends LlamaForCausalLM {
  static override readonly architecture: string = "MistralForCausalLM";
  static override readonly taskKind: TaskKind = "causal-lm";
  static override configClass = MistralConfig;
}

export class MistralForSequenceClassification extends LlamaForSequenceClassification {
  static override readonly architecture: string = "MistralForSequenceClassification";
  static override readonly taskKind: TaskKind = "sequence-classification";
  static override configClass = MistralConfig;
}
