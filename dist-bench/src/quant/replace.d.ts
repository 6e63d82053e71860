/**
 * Which linear layers become 4-bit (Transformers' replace_with_bnb_linear), and the swap
 * itself: in place for a model already in memory, or one layer at a time by a loader.
 */
import { type Tensor } from "../tensor/index.js";
import { type Module } from "../nn/index.js";
import { Linear4bit } from "./linear4bit.js";
import { type QuantState } from "./functional.js";
import { type BitsAndBytesConfig } from "./config.js";
export interface QuantizationTarget {
    module: Module & {
        bias?: Tensor | null;
    };
    /** out_in (nn.Linear) or in_out (GPT-2's Conv1D: transposed to (out, in) before quantizing). */
    layout: "out_in" | "in_out";
    inFeatures: number;
    outFeatures: number;
    /** Replaces the layer by a Linear4bit holding this weight (the old layer's bias kept). */
    install(packed: Uint8Array, state: QuantState, qc: BitsAndBytesConfig): Linear4bit;
}
/**
 * Every nn.Linear / Conv1D except the skipped ones. With no llm_int8_skip_modules, the task
 * head (linears outside the base model `prefix`: lm_head, score, classifier, qa_outputs)
 * stays in full precision, as Transformers keeps the output layer; a given list replaces
 * that default, as in Transformers.
 */
export declare function quantizationTargets(model: Module, prefix: string, qc: BitsAndBytesConfig): Map<string, QuantizationTarget>;
/** Quantizes the linear layers of a model already in memory, in place, one layer at a time. */
export declare function quantizeModel(model: Module, prefix: string, qc: BitsAndBytesConfig): number;
