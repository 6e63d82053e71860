/**
 * tunelab: fine-tune Hugging Face transformers from TypeScript. The public API, listed name by
 * name: what is not here (kernels, autograd hooks, loaders' helpers) is internal and may change.
 */
// tensor
export {
  Tensor, type Shape, numelOf, sameShape, type DType, DTYPES, parseDtype, isFloatingDtype, noGrad,
  enableGrad, isGradEnabled, defineOp, type OpContext, type OpDef, type Forward, type Grads, scope,
  bufferCache, type BufferCacheStats, manualSeed, getRngState, setRngState, SeededRandom, type RngState,
  type CreateOptions, tensor, full, zeros, ones, zerosLike, onesLike, empty, randn, rand, arange, add,
  sub, mul, div, pow, maximum, minimum, clamp, eq, ne, lt, le, gt, ge, neg, exp, log, sqrt, rsqrt, tanh,
  sigmoid, relu, silu, abs, square, reciprocal, sin, cos, gelu, sum, mean, amax, amin, argmax, reshape,
  permute, transpose, expand, slice, narrow, select, unsqueeze, squeeze, flatten, contiguous, clone, mm,
  matmul, linear, loraLinear, where, maskedFill, cast, cat, stack, split, chunk, softmax, logSoftmax,
  logsumexp, layerNorm, rmsNorm, embedding, indexSelect, gather, type RopeScaling, ropeInvFreq,
  ropeTables, applyRotaryEmb, type AttentionOpts, scaledDotProductAttention, type CrossEntropyOptions,
  crossEntropy, dropout,
} from "./tensor/index.js";
// nn
export {
  Module, ModuleList, tieParameter, type StateDict, type LoadResult, Linear, Embedding, LayerNorm,
  RMSNorm, Dropout, ACT2FN, getActivation, type Activation, type LinearOptions, type LinearLike,
  type EmbeddingLike, isLinearLike, normal, uniform, checkpoint,
} from "./nn/index.js";
// optim
export {
  Optimizer, type ParamGroup, type ParamsInput, type OptimizerStateDict, AdamW, type AdamWOptions, SGD,
  type SGDOptions, clipGradNorm, gradNorm, getScheduler, LambdaLR, SCHEDULER_TYPES, type SchedulerType,
  type SchedulerOptions, type SchedulerStateDict, type SchedulableOptimizer, AdamW8bit, PagedAdamW,
  Adafactor, type AdafactorOptions, createOptimizerByName, OPTIMIZER_NAMES, type OptimizerName,
  type OptimizerHyperParameters,
} from "./optim/index.js";
// models
export {
  type ConfigDict, PretrainedConfig, type IdsLike, type ModelInputs, type ModelOutput,
  type FromPretrainedOptions, type LoadReport, type TaskKind, PreTrainedModel, type ProblemType,
  BertConfig, type EmbeddingInputs, BertEmbeddings, BertSelfAttention, BertSelfOutput, BertAttention,
  BertIntermediate, BertOutput, BertLayer, BertEncoder, BertPooler, BertPreTrainedModel, BertModel,
  BertForSequenceClassification, BertForTokenClassification, BertPredictionHeadTransform,
  BertLMPredictionHead, BertOnlyMLMHead, BertForMaskedLM, BertForQuestionAnswering, RobertaConfig,
  createPositionIdsFromInputIds, RobertaEmbeddings, RobertaPreTrainedModel, RobertaModel,
  RobertaClassificationHead, RobertaForSequenceClassification, RobertaForTokenClassification,
  RobertaForQuestionAnswering, RobertaLMHead, RobertaForMaskedLM, DistilBertConfig, DistilBertEmbeddings,
  MultiHeadSelfAttention, FFN, TransformerBlock, Transformer, DistilBertPreTrainedModel, DistilBertModel,
  DistilBertForSequenceClassification, DistilBertForMaskedLM, DistilBertForTokenClassification,
  DistilBertForQuestionAnswering, GPT2Config, Conv1D, GPT2Attention, GPT2MLP, GPT2Block,
  GPT2PreTrainedModel, GPT2Model, GPT2LMHeadModel, GPT2ForSequenceClassification, LlamaConfig,
  LlamaRMSNorm, LlamaRotaryEmbedding, LlamaMLP, LlamaAttention, LlamaDecoderLayer, LlamaPreTrainedModel,
  LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification, MistralModel, MistralForCausalLM,
  MistralForSequenceClassification, MistralConfig, Qwen2Model, Qwen2ForCausalLM,
  Qwen2ForSequenceClassification, Qwen2Config, T5Config, T5Block, type T5StackInputs, T5Stack,
  type T5Inputs, type T5Output, T5PreTrainedModel, shiftRight, T5Model, T5ForConditionalGeneration,
  T5EncoderModel, type PastKeyValues, KVCache, type DecoderOutput, type AutoTask, type RegisteredModelClass,
  registerConfig, registerModel, supportedModelTypes, modelClassFor, AutoConfig, AutoModel,
  AutoModelForSequenceClassification, AutoModelForTokenClassification, AutoModelForCausalLM,
  AutoModelForMaskedLM, AutoModelForSeq2SeqLM, AutoModelForQuestionAnswering, dequantizeModel,
} from "./models/index.js";
// peft
export {
  type PeftConfig, type TaskType, type InjectOptions, type PromptEncoderHooks, ConfigReader,
  PeftConfigError, type PeftMethod, type MethodVariant, type MethodChoice, type MethodInfo,
  MethodRegistry, peftMethods, parsePeftConfig, peftConfigProblems, type MethodSpec, applyMethod,
  loadAdapterFor, methodConfigDict, methodProblems, PeftModel, TunerModel, getPeftModel,
  type PeftModelOptions, type LoraConfig, readLoraConfig, loraScaling, LoraLayer, type IA3Config,
  IA3Layer, type BottleneckAdapterConfig, BottleneckAdapterLayer, ADAPTER_PLACEMENTS, type BitFitConfig,
  type PromptTuningConfig, PromptEmbedding, type PrefixTuningConfig, PrefixEncoder,
  PREFIX_TUNING_MODEL_TYPES, ModulesToSaveWrapper, ModuleDict, ParameterDict, LORA_TARGET_MODULES,
  IA3_TARGET_MODULES, IA3_FEEDFORWARD_MODULES, SEQ_CLS_HEAD_NAMES, resolveTargets, matchesModuleList,
  CONFIG_NAME, SAFETENSORS_WEIGHTS_NAME,
} from "./peft/index.js";
// quant
export {
  quantize4bit, dequantize4bit, quantizeBlockwise, dequantizeBlockwise, code4bit, dynamicMap, blockScales,
  quantizeInt8Rows, dequantizeInt8Rows, type Int8Rows, QuantState, type Quantize4bitOptions,
  type QuantType4bit, type NestedState, quantStateToDict, quantStateFromDict, int8StateFromDict,
  QuantizedLinear, type ComputeDtype, Linear4bit, type Linear4bitOptions, Linear8bit,
  type Linear8bitOptions, parseQuantizationConfig, quantizationConfigToDict, isSkipped,
  QuantizationConfigError, type BitsAndBytesConfig, type BitsAndBytesConfigInput, type QuantStorage,
  quantizationTargets, quantizeModel, type QuantizationTarget, prepareModelForKbitTraining,
  prepareQloraBase, isQuantized, QLORA_DEFAULT_CONFIG,
} from "./quant/index.js";
// data
export {
  Dataset, type Row, type Batch, type MapOptions, type TrainTestSplitOptions, type DatasetDict, BadRowLog,
  BadRowError, type BadRowPolicy, type BadRow, type RowSource, loadDataset, readDataFile,
  readDataFileSync, DATA_FORMATS, type DataFormat, type ReadOptions, type LoadDatasetOptions, streamRows,
  IterableDataset, type IterableMapOptions, type RowStream, type SpecialFrame, buildLabelMap,
  encodeClassification, type ClassificationOptions, type LabelMap, buildTagList,
  encodeTokenClassification, type TokenClassificationOptions, encodeCausalLm, pack, packStream,
  type CausalLmOptions, encodeSeq2Seq, type Seq2SeqOptions, encodeExtractiveQa, type ExtractiveQaOptions,
  DataCollatorWithPadding, DataCollatorForSeq2Seq, DataCollatorForLanguageModeling, padSequences,
  type DataCollator, type TensorBatch, type CollateContext, type PaddingOptions,
  type LanguageModelingOptions, AutoTokenizer, PreTrainedTokenizer,
} from "./data/index.js";
// train
export {
  Trainer, NonFiniteLossError, type TrainerOptions, type TrainOutput, TrainingArguments,
  TrainingArgumentsError, SUPPORTED_OPTIMIZERS, type TrainingArgumentsInit, type IntervalStrategy,
  type SaveStrategy, TrainerState, TrainerControl, TRAINER_STATE_NAME, type LogEntry, CallbackHandler,
  EarlyStoppingCallback, type TrainerCallback, type CallbackEvent, type CallbackExtras,
  type EarlyStoppingOptions, ProgressCallback, JsonlLoggerCallback, TRAINER_LOG_NAME, saveCheckpoint,
  listCheckpoints, getLastCheckpoint, rotateCheckpoints, PREFIX_CHECKPOINT_DIR, loadCheckpointWeights,
  type TrainableModel, createOptimizer, createScheduler, FULL_METHOD, loadAdapter, applyTrainingMethod,
  trainingMethodNames, listTrainingMethods, describeTrainableParameters, type TrainingMethodContext,
  type MethodSection,
} from "./train/index.js";
// distributed
export {
  launchedWorld, type LaunchedWorld, mpiWorld, setCollectiveTimeout, DistributedError, type MpiWorld,
  worldSize, rank, isMainProcess, allReduce, allReduceNumbers, broadcast, barrier, broadcastObject,
  allGatherObjects, DataParallel, type DataParallelOptions,
} from "./distributed/index.js";
// eval
export {
  accuracy, f1, precision, recall, precisionRecallF1, type Average, type ClassificationScoreOptions,
  type PrecisionRecallF1, perplexity, perplexityFromSums, exactMatch, exactMatchScore, squadF1Score,
  squad, normalizeAnswer, confusionMatrix, formatConfusionMatrix, seqeval, getEntities, type Entity,
  type SeqevalResult, classificationMetrics, multiLabelMetrics, regressionMetrics,
  tokenClassificationMetrics, questionAnsweringMetrics, type EvalPrediction, type Metrics,
  type ComputeMetrics,
} from "./eval/index.js";
// generate
export {
  generate, generateStream, type GenerativeModel, type GenerationChunk, BatchDecoder, Sequence,
  type SequenceInput, type StepEvent, type GenerateOptions, type FinishReason, type RowOptions,
  type TextDecoder, TextStream, generateText, generateTexts, streamText, chatPromptIds,
  type GeneratedText, type SamplingParams,
} from "./generate/index.js";
// pipelines
export {
  type RunConfig, type ModelSection, type DatasetSection, buildRun, loadModel, loadTokenizer, loadSplits,
  loadStreamingSplits, prepare, trainingArgs, type Run, type BuildRunOptions, type LoadModelOptions,
  type Output, loadTrained, loadTrainedModel, inspectTrained, saveTrained, writeResults,
  type TrainedModel, type TrainedInfo, type LoadTrainedOptions, predict, DEFAULT_MAX_NEW_TOKENS,
  type PredictOptions, type PredictResult, prepareTask, TASK_NAMES, AUTO_TASK, type TaskName,
  type PreparedTask, type TaskOptions, prepareStreamingTask, type StreamingPreparedTask,
  type PredictionLabels, mergeAdapter, type MergeResult,
} from "./pipelines/index.js";
// export
export {
  exportOnnx, buildOnnxGraph, onnxSupportedClasses, type OnnxExportOptions, type OnnxExportResult,
  exportGguf, GGUF_OUTTYPES, GGUF_CLASSES, type GgufOuttype, type GgufExportOptions,
  type GgufExportResult,
} from "./export/index.js";

export { getNumThreads, setNumThreads, availableCpus, cpuFeatures } from "./tensor/threads.js";
export { startServer, TunelabServer, SERVE_DEFAULTS, type ServeOptions } from "./serve/server.js";
export {
  readSafetensors, writeSafetensors, loadCheckpointTensors, writeShardedSafetensors, type RawTensor, loadTensors, saveTensors, rawToTensor, tensorToRaw, resolvePretrained,
} from "./io/index.js";
