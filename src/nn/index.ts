export { Module, ModuleList, listKeys, tieParameter, type StateDict, type LoadResult } from "./module.js";
export { Linear, Embedding, LayerNorm, RMSNorm, Dropout, ACT2FN, getActivation, type Activation, type LinearOptions, type LinearLike, type EmbeddingLike, isLinearLike } from "./layers.js";
export { normal, uniform, withDeferredInit, materializeDeferred } from "./init.js";
export { checkpoint } from "./gradient_checkpointing.js";
