import { type LambdaLR, type Optimizer } from "../optim/index.js";
import type { TrainingArguments } from "./training_args.js";
import type { TrainableModel } from "./model_contract.js";
export declare function isNoDecay(name: string): boolean;
export declare function createOptimizer(model: TrainableModel, args: TrainingArguments): Optimizer<{
    lr: number;
}>;
export declare function createScheduler(optimizer: Optimizer<{
    lr: number;
}>, args: TrainingArguments, maxSteps: number): LambdaLR;
