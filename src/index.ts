/** tunelab: fine-tune Hugging Face transformers from TypeScript. */
export * from "./tensor/index.js";
export { getNumThreads, setNumThreads, availableCpus, cpuFeatures } from "./tensor/threads.js";
export * from "./nn/index.js";
export * from "./optim/index.js";
export * from "./models/index.js";
export * from "./peft/index.js";
export * from "./quant/index.js";
export * from "./data/index.js";
export * from "./train/index.js";
export * from "./distributed/index.js";
export * from "./eval/index.js";
export * from "./generate/index.js";
export * from "./pipelines/index.js";
export { startServer, TunelabServer, SERVE_DEFAULTS, type ServeOptions } from "./serve/server.js";
export * from "./export/index.js";
export {
  readSafetensors, writeSafetensors, loadCheckpointTensors, writeShardedSafetensors, type RawTensor, loadTensors, saveTensors, rawToTensor, tensorToRaw, resolvePretrained,
} from "./io/index.js";
