import { type Tensor } from "../../src/tensor/index.js";
import type { PreTrainedModel, ModelInputs } from "../../src/models/modeling_utils.js";
import { GPT2LMHeadModel } from "../../src/models/gpt2/modeling.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { BertForSequenceClassification } from "../../src/models/bert/heads.js";
export declare const FIXTURE_MODELS: {
    readonly bert_tiny: typeof BertForSequenceClassification;
    readonly gpt2_tiny: typeof GPT2LMHeadModel;
    readonly llama_tiny: typeof LlamaForCausalLM;
};
export type FixtureName = keyof typeof FIXTURE_MODELS;
export declare function fixturePath(name: FixtureName, ...parts: string[]): string;
export declare function loadBase(name: FixtureName): Promise<PreTrainedModel>;
export declare function expected(name: FixtureName): Map<string, Tensor>;
export declare function fixtureInputs(name: FixtureName): ModelInputs;
/** Per-position 0/1 weights for (B, T, V) logits: decoders compare real tokens only; `prefix` virtual positions always count. */
export declare function logitMask(name: FixtureName, prefix?: number): Float32Array | null;
export declare function logits(model: {
    forward(i: ModelInputs): {
        logits: Tensor;
    };
}, inputs: ModelInputs): Float32Array;
export declare function tmpDir(tag: string): string;
