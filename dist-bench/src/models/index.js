/** Model families, their configs and task heads, and the Auto classes. */
export * from "./configuration_utils.js";
export * from "./modeling_utils.js";
export * from "./loss_utils.js";
export * from "./bert/config.js";
export * from "./bert/modeling.js";
export * from "./bert/heads.js";
export * from "./roberta/config.js";
export * from "./roberta/modeling.js";
export * from "./distilbert/config.js";
export * from "./distilbert/modeling.js";
export * from "./gpt2/config.js";
export * from "./gpt2/modeling.js";
export * from "./llama/config.js";
export * from "./llama/modeling.js";
export * from "./mistral.js";
export * from "./qwen2.js";
export * from "./t5/config.js";
export * from "./t5/modeling.js";
export * from "./decoder_utils.js";
export * from "./auto.js";
//# sourceMappingURL=index.js.map