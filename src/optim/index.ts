/** Optimizers, learning-rate schedules and gradient clipping. */
export { Optimizer, type ParamGroup, type ParamsInput, type OptimizerStateDict } from "./optimizer.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { clipGradNorm, clipCoefficient, scaleGradients, gradNorm } from "./clip.js";
export {
  getScheduler, LambdaLR, SCHEDULER_TYPES, type SchedulerType, type SchedulerOptions, type SchedulerStateDict,
  type SchedulableOptimizer,
} from "./schedulers.js";
