import { type BitsAndBytesConfig } from "../quant/config.js";
import type { PreTrainedModel } from "./modeling_utils.js";
/**
 * Fills a model built under withDeferredInit from the checkpoint in `dir`, quantizing its
 * linear layers as their weights are read. Returns the model's load report (the 4-bit
 * layers' state counts as loaded).
 */
export declare function loadQuantizedCheckpoint(model: PreTrainedModel, dir: string, qc: BitsAndBytesConfig, source: string, opts?: {
    quiet?: boolean;
    keep16bit?: boolean;
}): void;
