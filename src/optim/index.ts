/** Optimizers, learning-rate schedules and gradient clipping. */
export { Optimizer, type ParamGroup, type ParamsInput, type OptimizerStateDict } from "./optimizer.js";
export { AdamW, type AdamWOptions } from "./adamw.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { clipGradNorm, clipCoefficient, scaleGradients, gradNorm } from "./clip.js";
export {
  getScheduler, LambdaLR, SCHEDULER_TYPES, type SchedulerType, type SchedulerOptions, type SchedulerStateDict,
  type SchedulableOptimizer,
} from "./schedulers.js";
export { AdamW8bit, PagedAdamW, Adafactor, type AdafactorOptions, pagedZeros, OPTIM_8BIT_BLOCKSIZE, MIN_8BIT_SIZE } from "./low_memory.js";
export { createOptimizerByName, OPTIMIZER_NAMES, type OptimizerName, type OptimizerHyperParameters } from "./by_name.js";
