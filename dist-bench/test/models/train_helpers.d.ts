import type { ModelInputs, PreTrainedModel } from "../../src/models/index.js";
/** A few AdamW steps on one fixed batch; returns the losses. */
export declare function trainSteps(model: PreTrainedModel, batch: ModelInputs, steps: number, lr?: number): number[];
