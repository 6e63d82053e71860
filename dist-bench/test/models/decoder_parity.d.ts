import { type Tensor } from "../../src/tensor/index.js";
import type { PreTrainedModel } from "../../src/models/modeling_utils.js";
export interface ParityReport {
    logits: {
        maxAbs: number;
        maxRel: number;
    };
    loss: {
        ours: number;
        expected: number;
        absErr: number;
    };
    grads: Map<string, {
        maxAbs: number;
        maxRel: number;
    }>;
}
export declare function fixture(name: string): {
    dir: string;
    modelDir: string;
    expected: Map<string, Tensor>;
};
/** Worst |a - e| and worst |a - e| / |e| (over |e| > atol), asserting |a - e| <= atol + rtol |e| everywhere. */
export declare function compare(actual: Float32Array, expected: Float32Array, atol: number, rtol: number, what: string, keep?: (i: number) => boolean): {
    maxAbs: number;
    maxRel: number;
};
/** Runs the `full` case on a loaded model: forward, loss, backward, and compares everything. */
export declare function checkFullCase(model: PreTrainedModel, expected: Map<string, Tensor>): ParityReport;
export declare function summarize(name: string, r: ParityReport): string;
/**
 * prefix_tuning: prompt_embeddings (P, layers·2·D) become per-layer past keys/values
 * (1, heads, P, D/heads), the README's layout; checks logits, loss and the prompt's gradient.
 */
export declare function checkPrefixCase(model: PreTrainedModel, expected: Map<string, Tensor>, layers: number, heads: number): {
    logits: {
        maxAbs: number;
        maxRel: number;
    };
    lossErr: number;
    grad: {
        maxAbs: number;
        maxRel: number;
    };
};
/**
 * prompt_tuning through inputs_embeds: cat(prompt, embed(ids)), mask and labels widened by P;
 * checks logits (the P virtual positions included), loss and the prompt's gradient.
 */
export declare function checkPromptCase(model: PreTrainedModel, expected: Map<string, Tensor>, embed: (ids: Tensor) => Tensor, cat: (ts: Tensor[], dim: number) => Tensor): {
    logits: {
        maxAbs: number;
        maxRel: number;
    };
    lossErr: number;
    grad: {
        maxAbs: number;
        maxRel: number;
    };
};
