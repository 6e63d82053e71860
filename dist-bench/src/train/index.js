/** Training: Trainer, TrainingArguments, callbacks, checkpoints and training methods (tasks live in src/pipelines). */
export { Trainer, NonFiniteLossError } from "./trainer.js";
export { TrainingArguments, TrainingArgumentsError, IGNORED_HF_KEYS, SUPPORTED_OPTIMIZERS } from "./training_args.js";
export { TrainerState, TrainerControl, TRAINER_STATE_NAME } from "./trainer_state.js";
export { CallbackHandler, EarlyStoppingCallback, metricKey } from "./callbacks.js";
export { ProgressCallback, JsonlLoggerCallback, TRAINER_LOG_NAME } from "./progress.js";
export { saveCheckpoint, listCheckpoints, getLastCheckpoint, rotateCheckpoints, PREFIX_CHECKPOINT_DIR } from "./checkpoint.js";
export { loadCheckpointWeights } from "./model_contract.js";
export { createOptimizer, createScheduler } from "./optimizer_setup.js";
export { batchOrder, streamBatches } from "./batching.js";
export { FULL_METHOD, loadAdapter, applyTrainingMethod, validateMethod, resolveMethodName, trainingMethodNames, listTrainingMethods, describeTrainableParameters, } from "./methods.js";
export { editDistance, nearestName } from "./suggest.js";
//# sourceMappingURL=index.js.map