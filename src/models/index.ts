/** Model families, their configs and task heads, and the Auto classes: the names users build with, listed (helpers the families share stay inside). */
export { type ConfigDict, PretrainedConfig } from "./configuration_utils.js";
export {
  type IdsLike, type ModelInputs, type ModelOutput, type FromPretrainedOptions, type LoadReport, toIds, toFloat, type TaskKind, PreTrainedModel,
} from "./modeling_utils.js";
export { type ProblemType, bceWithLogits, tokenLoss } from "./loss_utils.js";
export { BertConfig } from "./bert/config.js";
export {
  type EmbeddingInputs, BertEmbeddings, BertSelfAttention, BertSelfOutput, BertAttention, BertIntermediate, BertOutput, BertLayer, BertEncoder, BertPooler, BertPreTrainedModel, BertModel,
} from "./bert/modeling.js";
export {
  BertForSequenceClassification, BertForTokenClassification, BertPredictionHeadTransform, BertLMPredictionHead, BertOnlyMLMHead, BertForMaskedLM, BertForQuestionAnswering,
} from "./bert/heads.js";
export { RobertaConfig } from "./roberta/config.js";
export {
  createPositionIdsFromInputIds, RobertaEmbeddings, RobertaPreTrainedModel, RobertaModel, RobertaClassificationHead, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaForQuestionAnswering, RobertaLMHead, RobertaForMaskedLM,
} from "./roberta/modeling.js";
export { DistilBertConfig } from "./distilbert/config.js";
export {
  DistilBertEmbeddings, MultiHeadSelfAttention, FFN, TransformerBlock, Transformer, DistilBertPreTrainedModel, DistilBertModel, DistilBertForSequenceClassification, DistilBertForMaskedLM, DistilBertForTokenClassification, DistilBertForQuestionAnswering,
} from "./distilbert/modeling.js";
export { GPT2Config } from "./gpt2/config.js";
export {
  Conv1D, GPT2Attention, GPT2MLP, GPT2Block, GPT2PreTrainedModel, GPT2Model, GPT2LMHeadModel, GPT2ForSequenceClassification,
} from "./gpt2/modeling.js";
export { LlamaConfig } from "./llama/config.js";
export {
  LlamaRMSNorm, LlamaRotaryEmbedding, LlamaMLP, LlamaAttention, LlamaDecoderLayer, LlamaPreTrainedModel, LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification,
} from "./llama/modeling.js";
export { MistralModel, MistralForCausalLM, MistralForSequenceClassification, MistralConfig } from "./mistral/modeling.js";
export { Qwen2Model, Qwen2ForCausalLM, Qwen2ForSequenceClassification, Qwen2Config } from "./qwen2/modeling.js";
export { T5Config } from "./t5/config.js";
export {
  T5Block, type T5StackInputs, T5Stack, type T5Inputs, type T5Output, T5PreTrainedModel, shiftRight, T5Model, T5ForConditionalGeneration, T5EncoderModel,
} from "./t5/modeling.js";
export { type PastKeyValues, type DecoderOutput, keyPaddingMask } from "./decoder_utils.js";
export { KVCache } from "./kv_cache.js";
export {
  type AutoTask, type RegisteredModelClass, registerConfig, registerModel, supportedModelTypes, modelClassFor, AutoConfig, AutoModel, AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSeq2SeqLM, AutoModelForQuestionAnswering,
} from "./auto.js";
export { dequantizeModel, toSourceLayer } from "./dequantize.js";
