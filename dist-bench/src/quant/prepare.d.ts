/**
 * PEFT's prepare_model_for_kbit_training, and the base QLoRA trains on. On a 4-bit base:
 * every parameter is frozen, parameters still in 16 bits (norms, embeddings, heads) become
 * float32 for stable training, and gradient checkpointing is switched on when asked. PEFT
 * also calls enable_input_require_grads so that reentrant checkpointing sees a gradient-
 * carrying input; tunelab's checkpoint swaps a frozen block input for a leaf that asks for
 * a gradient itself (nn/checkpoint.ts), so adapters inside checkpointed layers always train.
 */
import type { Module } from "../nn/index.js";
import { type BitsAndBytesConfig } from "./config.js";
/** `method: qlora` without a quantization section: the QLoRA paper's NF4 with double quantization. */
export declare const QLORA_DEFAULT_CONFIG: BitsAndBytesConfig;
export declare function isQuantized(model: Module): boolean;
export declare function prepareModelForKbitTraining(model: Module, opts?: {
    use_gradient_checkpointing?: boolean;
}): Module;
/**
 * QLoRA's base: quantized in place with `qc` (default NF4 + double quantization) unless it
 * was loaded in 4 bits already, then prepared for k-bit training (no checkpointing forced:
 * the Trainer's gradient_checkpointing decides).
 */
export declare function prepareQloraBase(model: Module & {
    config?: Record<string, unknown>;
}, prefix: string, qc?: BitsAndBytesConfig): void;
