import { Tensor } from "../tensor/index.js";
import type { ModelInputs, ModelOutput, TaskKind } from "../models/modeling_utils.js";
export interface TrainableModel {
    forward(inputs: ModelInputs): ModelOutput;
    namedParameters(): Iterable<[string, Tensor]>;
    trainableParameters(): Tensor[];
    train(mode?: boolean): unknown;
    eval(): unknown;
    /** Writes what a checkpoint must hold: full weights + config, or only the adapter. */
    savePretrained(dir: string): void;
    config?: {
        [key: string]: unknown;
        model_type?: string;
        num_labels?: number;
        problem_type?: unknown;
    };
    /** What the model's head computes (PreTrainedModel declares it, PeftModel forwards it); absent: "base". */
    readonly taskKind?: TaskKind;
    /** Restores the weights savePretrained wrote into dir (default: model.safetensors by key). */
    loadCheckpointWeights?(dir: string): void;
    gradientCheckpointingEnable?(): void;
    tieWeights?(): void;
    loadStateDict?(state: Map<string, Tensor>, opts?: {
        strict?: boolean;
    }): {
        missingKeys: string[];
        unexpectedKeys: string[];
    };
}
/** Loads a checkpoint's weights into the model, through the model's own hook when it has one. */
export declare function loadCheckpointWeights(model: TrainableModel, dir: string): void;
