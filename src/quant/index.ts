/** Quantization: bitsandbytes-compatible 4-bit (NF4/FP4) and 8-bit blockwise formats, and the 4-bit linear layer. */
export {
  quantize4bit, dequantize4bit, quantizeBlockwise, dequantizeBlockwise, code4bit, dynamicMap, blockScales,
  QuantState, type Quantize4bitOptions, type QuantType4bit, type NestedState,
} from "./functional.js";
export { quantStateToDict, quantStateFromDict } from "./serialize.js";
export { Linear4bit, type Linear4bitOptions, type ComputeDtype } from "./linear4bit.js";
export {
  parseQuantizationConfig, quantizationConfigToDict, isSkipped, QuantizationConfigError,
  type BitsAndBytesConfig, type BitsAndBytesConfigInput,
} from "./config.js";
export { quantizationTargets, quantizeModel, type QuantizationTarget } from "./replace.js";
export { prepareModelForKbitTraining, prepareQloraBase, isQuantized, QLORA_DEFAULT_CONFIG } from "./prepare.js";
