import { type Tensor } from "../../src/tensor/index.js";
import type { ModelInputs, ModelOutput, PreTrainedModel } from "../../src/models/modeling_utils.js";
type Forward = (inputs: ModelInputs) => ModelOutput;
/** Plain SGD steps on one batch; returns the losses. */
export declare function trainSteps(model: PreTrainedModel, batch: ModelInputs, steps: number, lr: number): number[];
export declare function assertTrainingLowersLoss(model: PreTrainedModel, batch: ModelInputs, steps?: number, lr?: number): number[];
/** Gradients by parameter name after one backward (train mode, so checkpointing is active). */
export declare function gradients(model: PreTrainedModel, batch: ModelInputs, forward?: Forward): Map<string, Float32Array>;
/** `layer`: one checkpointed layer, whose forward must run twice (forward + recompute) with checkpointing. */
export declare function assertCheckpointingSameGradients(model: PreTrainedModel, batch: ModelInputs, layer: {
    forward: (...a: never[]) => unknown;
}): void;
/** Saves to a temp folder, loads with `load`, and compares logits exactly; returns the loaded model. */
export declare function assertSaveLoadRoundTrip<M extends PreTrainedModel>(model: M, load: (dir: string) => Promise<M>, batch: ModelInputs): Promise<M>;
export declare function keysOf(t: Map<string, Tensor>): string[];
export {};
