/** Quantization: bitsandbytes-compatible 4-bit (NF4/FP4), 8-bit blockwise and LLM.int8 formats, and the quantized linear layers. */
export {
  quantize4bit, dequantize4bit, quantizeBlockwise, dequantizeBlockwise, code4bit, dynamicMap, blockScales,
  quantizeInt8Rows, dequantizeInt8Rows, type Int8Rows,
  QuantState, type Quantize4bitOptions, type QuantType4bit, type NestedState,
} from "./functional.js";
export { quantStateToDict, quantStateFromDict, int8StateFromDict } from "./serialize.js";
export { QuantizedLinear, type ComputeDtype } from "./quantized_linear.js";
export { Linear4bit, type Linear4bitOptions } from "./linear4bit.js";
export { Linear8bit, type Linear8bitOptions } from "./linear8bit.js";
export {
  parseQuantizationConfig, quantizationConfigToDict, isSkipped, QuantizationConfigError,
  type BitsAndBytesConfig, type BitsAndBytesConfigInput, type QuantStorage,
} from "./config.js";
export { quantizationTargets, quantizeModel, type QuantizationTarget } from "./replace.js";
export { prepareModelForKbitTraining, prepareQloraBase, isQuantized, QLORA_DEFAULT_CONFIG } from "./prepare.js";
