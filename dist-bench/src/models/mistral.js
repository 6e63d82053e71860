import { LlamaConfig } from "./llama/config.js";
import { LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification } from "./llama/modeling.js";
export class MistralConfig extends LlamaConfig {
    static defaults = {
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
    get slidingWindow() {
        return this.sliding_window ?? null;
    }
}
export class MistralModel extends LlamaModel {
    static architecture = "MistralModel";
    static taskKind = "base";
    static configClass = MistralConfig;
}
export class MistralForCausalLM extends LlamaForCausalLM {
    static architecture = "MistralForCausalLM";
    static taskKind = "causal-lm";
    static configClass = MistralConfig;
}
export class MistralForSequenceClassification extends LlamaForSequenceClassification {
    static architecture = "MistralForSequenceClassification";
    static taskKind = "sequence-classification";
    static configClass = MistralConfig;
}
//# sourceMappingURL=mistral.js.map