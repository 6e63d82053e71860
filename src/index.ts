/** tunelab: fine-tune Hugging Face transformers from TypeScript. */
export * from "./tensor/index.js";
