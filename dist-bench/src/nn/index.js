export { Module, ModuleList, listKeys } from "./module.js";
export { Linear, Embedding, LayerNorm, RMSNorm, Dropout, ACT2FN, getActivation } from "./layers.js";
export { normal, uniform, withDeferredInit, materializeDeferred, isDeferred } from "./init.js";
export { checkpoint } from "./checkpoint.js";
//# sourceMappingURL=index.js.map