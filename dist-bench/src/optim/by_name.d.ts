import type { Optimizer, ParamsInput } from "./optimizer.js";
export declare const OPTIMIZER_NAMES: readonly ["adamw_torch", "adamw_torch_fused", "adamw_hf", "adamw", "adamw_8bit", "adamw_bnb_8bit", "paged_adamw_8bit", "paged_adamw_32bit", "sgd", "adafactor"];
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];
export interface OptimizerHyperParameters {
    lr: number;
    betas?: [number, number];
    eps?: number;
    weight_decay?: number;
}
export declare function createOptimizerByName(name: string, params: ParamsInput, h: OptimizerHyperParameters): Optimizer<{
    lr: number;
}>;
