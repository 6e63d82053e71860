/** Optimizers, learning-rate schedules and gradient clipping. */
export { Optimizer } from "./optimizer.js";
export { AdamW } from "./adamw.js";
export { SGD } from "./sgd.js";
export { clipGradNorm, gradNorm } from "./clip.js";
export { getScheduler, LambdaLR, SCHEDULER_TYPES, } from "./schedulers.js";
export { AdamW8bit, PagedAdamW, Adafactor, pagedZeros, OPTIM_8BIT_BLOCKSIZE, MIN_8BIT_SIZE } from "./low_memory.js";
export { createOptimizerByName, OPTIMIZER_NAMES } from "./by_name.js";
//# sourceMappingURL=index.js.map