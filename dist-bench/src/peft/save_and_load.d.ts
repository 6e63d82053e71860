import type { Tensor } from "../tensor/index.js";
import { type PeftConfig } from "./config.js";
export declare const CONFIG_NAME = "adapter_config.json";
export declare const SAFETENSORS_WEIGHTS_NAME = "adapter_model.safetensors";
/** The PeftModel parameter path → the key PEFT writes for it (adapter name and `modules_to_save.` dropped). */
export declare function fileKeyOf(modelKey: string, adapterName: string): string;
/** Does this PeftModel path hold a tensor of adapter `adapterName` (its own layer parameters)? */
export declare function isAdapterKey(modelKey: string, adapterName: string, prefix: string | null): boolean;
export declare function isModulesToSaveKey(modelKey: string, adapterName: string): boolean;
/** Reads adapter_config.json as a plain dict (the caller parses it with the method's parser). */
export declare function readAdapterConfig(dir: string): Record<string, unknown>;
export declare function readAdapterWeights(dir: string): Map<string, Tensor>;
/**
 * tunelab's sidecar for a prompt encoder whose training state the PEFT file cannot hold (prefix
 * tuning with prefix_projection): the encoder's own tensors, read back on resume. PEFT ignores it.
 */
export declare const PROMPT_ENCODER_STATE_NAME = "prompt_encoder_state.safetensors";
export declare function writeAdapter(dir: string, config: PeftConfig, tensors: Map<string, Tensor>): void;
/**
 * Copies file tensors into the model's tensors by key (`targets`: file key → tensor). Every file
 * key must have a target with the same shape and every target must be in the file; errors name
 * the key and both shapes, so an adapter trained on another base model fails here, not in a matmul.
 */
export declare function copyIntoTargets(weights: Map<string, Tensor>, targets: Map<string, Tensor>, source: string): void;
