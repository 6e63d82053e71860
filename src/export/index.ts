/** Files for other runtimes: ONNX folders (onnxruntime, Transformers.js) and GGUF files (llama.cpp). */
export { exportOnnx, buildOnnxGraph, onnxSupportedClasses, type OnnxExportOptions, type OnnxExportResult } from "./onnx.js";
export { exportGguf, GGUF_OUTTYPES, GGUF_CLASSES, type GgufOuttype, type GgufExportOptions, type GgufExportResult } from "./gguf.js";
