import { LlamaConfig } from "./llama/config.js";
import { LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification } from "./llama/modeling.js";
export class Qwen2Config extends LlamaConfig {
    static defaults = {
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
    get qkvBias() {
        return true;
    }
    // differs from Llama: an optional sliding window (off in released Qwen2 checkpoints);
    // not implemented, so longer sequences than the window are refused when it is on.
    get slidingWindow() {
        return this.use_sliding_window ? this.sliding_window ?? null : null;
    }
}
export class Qwen2Model extends LlamaModel {
    static architecture = "Qwen2Model";
    static taskKind = "base";
    static configClass = Qwen2Config;
}
export class Qwen2ForCausalLM extends LlamaForCausalLM {
    static architecture = "Qwen2ForCausalLM";
    static taskKind = "causal-lm";
    static configClass = Qwen2Config;
}
export class Qwen2ForSequenceClassification extends LlamaForSequenceClassification {
    static architecture = "Qwen2ForSequenceClassification";
    static taskKind = "sequence-classification";
    static configClass = Qwen2Config;
}
//# sourceMappingURL=qwen2.js.map