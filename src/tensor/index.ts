/**
 * The tensor layer's public surface, listed name by name: kernels' helpers (binaryKernel,
 * whereKernel, sumToShape, ...) stay inside src/tensor.
 */
import "./methods.js";

export { Tensor, type Shape, numelOf, sameShape } from "./tensor.js";
export { type DType, DTYPES, parseDtype, isFloatingDtype } from "./dtype.js";
export { noGrad, enableGrad, isGradEnabled, defineOp, type OpContext, type OpDef, type Forward, type Grads, registeredOps, setLeafGradFinalHook } from "./autograd.js";
export { scope, innerScope, layerScope } from "./scope.js";
export { bufferCache, type BufferCacheStats } from "./storage.js";
export { manualSeed, getRngState, setRngState, withRngState, SeededRandom, type RngState } from "./random.js";
export { kernels } from "./backend.js";
export { type CreateOptions, tensor, full, zeros, ones, zerosLike, onesLike, empty, randn, rand, arange } from "./ops/creation.js";
export { add, sub, mul, div, pow, maximum, minimum, clamp, eq, ne, lt, le, gt, ge } from "./ops/binary.js";
export { neg, exp, log, sqrt, rsqrt, tanh, sigmoid, relu, silu, abs, square, reciprocal, sin, cos, gelu } from "./ops/unary.js";
export { sum, mean, amax, amin, argmax } from "./ops/reduce.js";
export { reshape, permute, transpose, expand, slice, narrow, select, unsqueeze, squeeze, flatten, contiguous, clone } from "./ops/views.js";
export { mm, matmul, linear, loraLinear } from "./ops/matmul.js";
export { where, maskedFill } from "./ops/where.js";
export { cast } from "./ops/cast.js";
export { cat, stack, split, chunk } from "./ops/cat.js";
export { softmax, logSoftmax, logsumexp } from "./ops/softmax.js";
export { layerNorm } from "./ops/layer_norm.js";
export { rmsNorm } from "./ops/rms_norm.js";
export { embedding, indexSelect, gather } from "./ops/embedding.js";
export { type RopeScaling, ropeInvFreq, ropeTables, applyRotaryEmb } from "./ops/rope.js";
export { type AttentionOpts, scaledDotProductAttention } from "./ops/attention.js";
export { type CrossEntropyOptions, crossEntropy } from "./ops/cross_entropy.js";
export { dropout } from "./ops/dropout.js";
