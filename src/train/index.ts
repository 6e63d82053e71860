/** Training: Trainer, TrainingArguments, callbacks, checkpoints and training methods (tasks live in src/pipelines). */
export { Trainer, NonFiniteLossError, type TrainerOptions, type TrainOutput } from "./trainer.js";
export { TrainingArguments, TrainingArgumentsError, IGNORED_HF_KEYS, SUPPORTED_OPTIMIZERS, type TrainingArgumentsInit, type IntervalStrategy, type SaveStrategy } from "./training_args.js";
export { TrainerState, TrainerControl, TRAINER_STATE_NAME, type LogEntry } from "./trainer_state.js";
export { CallbackHandler, EarlyStoppingCallback, metricKey, type TrainerCallback, type CallbackEvent, type CallbackExtras, type EarlyStoppingOptions } from "./callbacks.js";
export { ProgressCallback, JsonlLoggerCallback, TRAINER_LOG_NAME } from "./progress.js";
export { saveCheckpoint, listCheckpoints, getLastCheckpoint, rotateCheckpoints, PREFIX_CHECKPOINT_DIR } from "./checkpoint_folders.js";
export { loadCheckpointWeights, type TrainableModel } from "./model_contract.js";
export { createOptimizer, createScheduler } from "./optimizer_setup.js";
export { batchOrder, streamBatches } from "./batching.js";
export {
  FULL_METHOD, loadAdapter, applyTrainingMethod, validateMethod, resolveMethodName, trainingMethodNames, listTrainingMethods, describeTrainableParameters,
  type TrainingMethodContext, type MethodSection,
} from "./methods.js";
export { editDistance, nearestName } from "./suggest.js";
