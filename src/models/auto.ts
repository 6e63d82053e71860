/**
 * Auto classes: config.json's model_type picks the config class and, per task, the model
 * class. One table; a family joins it with one registerConfig line and one registerModel
 * line per task class (at the bottom of this file). Duplicates are refused.
 */
import * as path from "node:path";
import { readJsonFile } from "../io/json.js";
import { resolvePretrained, type ResolveOptions } from "../io/hub.js";
import { type ConfigDict, PretrainedConfig } from "./configuration_utils.js";
import { type FromPretrainedOptions, type TaskKind, PreTrainedModel } from "./modeling_utils.js";
import { BertConfig } from "./bert/config.js";
import { BertModel } from "./bert/modeling.js";
import { BertForMaskedLM, BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification } from "./bert/heads.js";
import { RobertaConfig } from "./roberta/config.js";
import {
  RobertaForMaskedLM, RobertaForQuestionAnswering, RobertaForSequenceClassification, RobertaForTokenClassification, RobertaModel,
} from "./roberta/modeling.js";
import { DistilBertConfig } from "./distilbert/config.js";
import {
  DistilBertForMaskedLM, DistilBertForQuestionAnswering, DistilBertForSequenceClassification, DistilBertForTokenClassification, DistilBertModel,
} from "./distilbert/modeling.js";
import { GPT2Config } from "./gpt2/config.js";
import { GPT2Model, GPT2LMHeadModel, GPT2ForSequenceClassification } from "./gpt2/modeling.js";
import { LlamaConfig } from "./llama/config.js";
import { LlamaModel, LlamaForCausalLM, LlamaForSequenceClassification } from "./llama/modeling.js";
import { MistralConfig, MistralModel, MistralForCausalLM, MistralForSequenceClassification } from "./mistral/modeling.js";
import { Qwen2Config, Qwen2Model, Qwen2ForCausalLM, Qwen2ForSequenceClassification } from "./qwen2/modeling.js";
import { T5Config } from "./t5/config.js";
import { T5Model, T5ForConditionalGeneration } from "./t5/modeling.js";

/** The task an Auto class loads for: a model's declared taskKind. */
export type AutoTask = TaskKind;

/** What a model class must offer to be registered (every PreTrainedModel subclass does). */
export interface RegisteredModelClass {
  new (config: never): PreTrainedModel;
  configClass: typeof PretrainedConfig;
  fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
  name: string;
}

const CONFIGS = new Map<string, typeof PretrainedConfig>();
const MODELS = new Map<string, Map<AutoTask, RegisteredModelClass>>();

/** Maps a model_type to its config class. */
export function registerConfig(modelType: string, configClass: typeof PretrainedConfig): void {
  if (CONFIGS.has(modelType)) throw new Error(`[auto] model_type "${modelType}" already has a config class (${CONFIGS.get(modelType)!.name})`);
  CONFIGS.set(modelType, configClass);
}

/** Maps (model_type, task) to a model class: `registerModel("gpt2", "causal-lm", GPT2LMHeadModel)`. */
export function registerModel(modelType: string, task: AutoTask, cls: RegisteredModelClass): void {
  const tasks = MODELS.get(modelType) ?? new Map<AutoTask, RegisteredModelClass>();
  if (tasks.has(task)) throw new Error(`[auto] model_type "${modelType}" already has a ${task} class (${tasks.get(task)!.name}); cannot register ${cls.name}`);
  tasks.set(task, cls);
  MODELS.set(modelType, tasks);
}

export function supportedModelTypes(): string[] {
  return [...CONFIGS.keys()].sort();
}

function configClassFor(modelType: unknown, source: string): typeof PretrainedConfig {
  const cls = typeof modelType === "string" ? CONFIGS.get(modelType) : undefined;
  if (!cls) {
    const what = typeof modelType === "string" ? `model_type "${modelType}" is not supported` : "config.json has no model_type";
    throw new Error(`[auto] ${source}: ${what}; supported model types: ${supportedModelTypes().join(", ")}`);
  }
  return cls;
}

/** The class registered for the task, or an error naming the tasks the family has. */
export function modelClassFor(modelType: string, task: AutoTask): RegisteredModelClass {
  configClassFor(modelType, "model");
  const tasks = MODELS.get(modelType);
  const cls = tasks?.get(task);
  if (!cls) {
    const have = tasks ? [...tasks.keys()].join(", ") : "(none)";
    const offer = [...MODELS].filter(([, t]) => t.has(task)).map(([m]) => m).sort();
    throw new Error(`[auto] model_type "${modelType}" has no ${task} model (it has: ${have}); model types with one: ${offer.join(", ") || "(none)"}`);
  }
  return cls;
}

/** config.json as a dict, with model_type guessed from `architectures` when absent. */
function readConfigDict(dir: string): ConfigDict {
  const dict = readJsonFile<ConfigDict>(path.join(dir, "config.json"), { maxBytes: 16 * 1024 * 1024 });
  if (typeof dict.model_type !== "string" && Array.isArray(dict.architectures)) {
    for (const arch of dict.architectures as string[]) {
      for (const [type, tasks] of MODELS) if ([...tasks.values()].some((c) => c.name === arch)) dict.model_type = type;
    }
  }
  return dict;
}

export class AutoConfig {
  /** The config class of the folder's (or hub repository's) model_type, filled from config.json. */
  static async fromPretrained(nameOrPath: string, opts: ResolveOptions & { config?: ConfigDict } = {}): Promise<PretrainedConfig> {
    const dir = await resolvePretrained(nameOrPath, { ...opts, require: ["config.json"] });
    const dict = readConfigDict(dir);
    const config = configClassFor(dict.model_type, nameOrPath).fromDict(dict);
    if (opts.config) config.update(opts.config);
    return config;
  }

  /** A config of the given model_type from a dict (defaults filled in). */
  static forModel(modelType: string, dict: ConfigDict = {}): PretrainedConfig {
    return configClassFor(modelType, "AutoConfig.forModel").fromDict({ ...dict, model_type: modelType });
  }
}

function autoFor(task: AutoTask, label: string) {
  return class {
    static readonly task = task;
    static toString(): string {
      return label;
    }

    /** Loads the class registered for config.json's model_type and this task. */
    static async fromPretrained(nameOrPath: string, opts: FromPretrainedOptions = {}): Promise<PreTrainedModel> {
      const dir = await resolvePretrained(nameOrPath, opts);
      const dict = readConfigDict(dir);
      configClassFor(dict.model_type, nameOrPath);
      return modelClassFor(dict.model_type as string, task).fromPretrained(dir, opts);
    }

    /** A freshly initialised model (random weights) of the config's model_type. */
    static fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel {
      const cfg = config instanceof PretrainedConfig ? config : configClassFor(config.model_type, label).fromDict(config);
      const cls = modelClassFor(cfg.model_type, task);
      const Ctor = cls as unknown as new (c: PretrainedConfig) => PreTrainedModel;
      return new Ctor(cfg.constructor === cls.configClass ? cfg : cls.configClass.fromDict(cfg.toDict()));
    }
  };
}

export const AutoModel = autoFor("base", "AutoModel");
export const AutoModelForSequenceClassification = autoFor("sequence-classification", "AutoModelForSequenceClassification");
export const AutoModelForTokenClassification = autoFor("token-classification", "AutoModelForTokenClassification");
export const AutoModelForCausalLM = autoFor("causal-lm", "AutoModelForCausalLM");
export const AutoModelForMaskedLM = autoFor("masked-lm", "AutoModelForMaskedLM");
export const AutoModelForSeq2SeqLM = autoFor("seq2seq-lm", "AutoModelForSeq2SeqLM");
export const AutoModelForQuestionAnswering = autoFor("question-answering", "AutoModelForQuestionAnswering");

// ---- the table: one line per config class and per (model_type, task) class ----
registerConfig("bert", BertConfig);
registerModel("bert", "base", BertModel);
registerModel("bert", "sequence-classification", BertForSequenceClassification);
registerModel("bert", "token-classification", BertForTokenClassification);
registerModel("bert", "masked-lm", BertForMaskedLM);
registerModel("bert", "question-answering", BertForQuestionAnswering);

registerConfig("roberta", RobertaConfig);
registerModel("roberta", "base", RobertaModel);
registerModel("roberta", "sequence-classification", RobertaForSequenceClassification);
registerModel("roberta", "token-classification", RobertaForTokenClassification);
registerModel("roberta", "masked-lm", RobertaForMaskedLM);
registerModel("roberta", "question-answering", RobertaForQuestionAnswering);

registerConfig("distilbert", DistilBertConfig);
registerModel("distilbert", "base", DistilBertModel);
registerModel("distilbert", "sequence-classification", DistilBertForSequenceClassification);
registerModel("distilbert", "token-classification", DistilBertForTokenClassification);
registerModel("distilbert", "masked-lm", DistilBertForMaskedLM);
registerModel("distilbert", "question-answering", DistilBertForQuestionAnswering);

registerConfig("gpt2", GPT2Config);
registerModel("gpt2", "base", GPT2Model);
registerModel("gpt2", "causal-lm", GPT2LMHeadModel);
registerModel("gpt2", "sequence-classification", GPT2ForSequenceClassification);

registerConfig("llama", LlamaConfig);
registerModel("llama", "base", LlamaModel);
registerModel("llama", "causal-lm", LlamaForCausalLM);
registerModel("llama", "sequence-classification", LlamaForSequenceClassification);

registerConfig("mistral", MistralConfig);
registerModel("mistral", "base", MistralModel);
registerModel("mistral", "causal-lm", MistralForCausalLM);
registerModel("mistral", "sequence-classification", MistralForSequenceClassification);

registerConfig("qwen2", Qwen2Config);
registerModel("qwen2", "base", Qwen2Model);
registerModel("qwen2", "causal-lm", Qwen2ForCausalLM);
registerModel("qwen2", "sequence-classification", Qwen2ForSequenceClassification);

registerConfig("t5", T5Config);
registerModel("t5", "base", T5Model);
registerModel("t5", "seq2seq-lm", T5ForConditionalGeneration);
