export { buildRun, loadModel, loadTokenizer, loadSplits, loadStreamingSplits, prepare, trainingArgs, consoleOutput } from "./run.js";
export { loadTrained, loadTrainedModel, inspectTrained, saveTrained, trainedModelDir, writeResults, TASK_FILE } from "./trained.js";
export { predict, DEFAULT_MAX_NEW_TOKENS } from "./predict.js";
export { prepareTask, TASK_NAMES, AUTO_TASK, DEFAULT_METRIC } from "./tasks.js";
export { prepareStreamingTask } from "./streaming_task.js";
export { taskPrediction } from "./predictions.js";
//# sourceMappingURL=index.js.map