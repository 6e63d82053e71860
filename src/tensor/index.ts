/** The tensor layer's public surface. */
import "./methods.js";

export { Tensor, type Shape, numelOf, sameShape } from "./tensor.js";
export { type DType, DTYPES, parseDtype, isFloatingDtype } from "./dtype.js";
export { noGrad, enableGrad, isGradEnabled, defineOp, OpContext, type OpDef, registeredOps, setLeafGradFinalHook } from "./autograd.js";
export { scope } from "./scope.js";
export { bufferCache } from "./storage.js";
export { manualSeed, getRngState, setRngState, SeededRandom, type RngState } from "./random.js";
export { backend, type Backend } from "./backend.js";
export * from "./ops/creation.js";
export * from "./ops/binary.js";
export * from "./ops/unary.js";
export * from "./ops/reduce.js";
export * from "./ops/views.js";
export * from "./ops/matmul.js";
export * from "./ops/where.js";
export * from "./ops/cast.js";
export * from "./ops/cat.js";
export * from "./ops/softmax.js";
export * from "./ops/layer_norm.js";
export * from "./ops/rms_norm.js";
export * from "./ops/embedding.js";
export * from "./ops/rope.js";
export * from "./ops/attention.js";
export * from "./ops/cross_entropy.js";
export * from "./ops/dropout.js";
