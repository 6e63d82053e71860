/**
 * Training methods: how a loaded model is prepared before training. `full` (every weight
 * trains) is the Trainer's own; every other name — lora, dora, ia3, adapter, bitfit,
 * prompt_tuning, prefix_tuning and any method registered with src/peft's `peftMethods` — is
 * looked up there, validated before any work, and applied with PEFT's task_type for the task.
 * A PEFT wrapper's savePretrained writes only the adapter and its loadCheckpointWeights reads
 * it back, which is all the Trainer and its checkpoints need.
 */
import { type MethodInfo } from "../peft/index.js";
import type { TrainableModel } from "./model_contract.js";
export type MethodSection = Record<string, unknown>;
/** The method that wraps nothing: every parameter trains. */
export declare const FULL_METHOD = "full";
export interface TrainingMethodContext {
    /** The task being trained ("text_classification", "causal_lm", ...). */
    task: string;
    /** config.model_type of the base model ("bert", "llama", ...). */
    model_type: string;
    /** The model folder or hub id (adapter_config.json's base_model_name_or_path). */
    base_model_name_or_path: string;
}
/** Every method name a config may use, sorted: full and the registry's. */
export declare function trainingMethodNames(): string[];
/** Every method with its one-line summary (full first), for help and `tunelab compare`. */
export declare function listTrainingMethods(): MethodInfo[];
/** The method a config selects: `method:` wins, else `peft.peft_type`, else "full" (or "lora" for a bare peft section). */
export declare function resolveMethodName(method: unknown, peft: MethodSection | undefined): string;
/** Problems with a method choice and its section (empty when valid), each naming its YAML section. */
export declare function validateMethod(name: string, section: MethodSection): string[];
/** Prepares `model` for training with method `name`: itself for full, else a PeftModel. */
export declare function applyTrainingMethod(model: TrainableModel, name: string, section: MethodSection, ctx: TrainingMethodContext): Promise<TrainableModel>;
/**
 * Loads a saved adapter folder (adapter_config.json) onto a base model for evaluation or
 * prediction; `method` is the run's method name when its variant prepares the base (qlora).
 */
export declare function loadAdapter(base: TrainableModel, dir: string, method?: string): Promise<TrainableModel>;
/** PEFT's wording, for any model. */
export declare function describeTrainableParameters(model: TrainableModel): string;
