/** tunelab: fine-tune Hugging Face transformers from TypeScript. */
export * from "./tensor/index.js";
export { getNumThreads, setNumThreads, cpuFeatures } from "./tensor/threads.js";
export * from "./optim/index.js";
export * from "./peft/index.js";
