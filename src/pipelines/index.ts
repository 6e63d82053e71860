/** Whole jobs as library calls: build a run from a config, load a trained folder, predict rows. */
export type { RunConfig, ModelSection, DatasetSection } from "./config.js";
export { buildRun, loadModel, loadTokenizer, loadSplits, loadStreamingSplits, prepare, trainingArgs, consoleOutput, type Run, type BuildRunOptions, type LoadModelOptions, type Output } from "./run.js";
export { loadTrained, loadTrainedModel, inspectTrained, saveTrained, trainedModelDir, writeResults, TASK_FILE, type TrainedModel, type TrainedInfo, type LoadTrainedOptions } from "./trained.js";
export { predict, DEFAULT_MAX_NEW_TOKENS, type PredictOptions, type PredictResult } from "./predict.js";
export { prepareTask, TASK_NAMES, AUTO_TASK, type TaskName, type PreparedTask, type TaskOptions } from "./tasks.js";
export { prepareStreamingTask, type StreamingPreparedTask } from "./streaming_task.js";
export { taskPrediction, type PredictionLabels } from "./predictions.js";
export { mergeAdapter, type MergeResult } from "./merge.js";
