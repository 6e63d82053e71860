import { type ResolveOptions } from "../io/hub.js";
import { type ConfigDict, PretrainedConfig } from "./configuration_utils.js";
import { type FromPretrainedOptions, type TaskKind, PreTrainedModel } from "./modeling_utils.js";
/** The task an Auto class loads for: a model's declared taskKind. */
export type AutoTask = TaskKind;
/** What a model class must offer to be registered (every PreTrainedModel subclass does). */
export interface RegisteredModelClass {
    new (config: never): PreTrainedModel;
    configClass: typeof PretrainedConfig;
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    name: string;
}
/** Maps a model_type to its config class. */
export declare function registerConfig(modelType: string, configClass: typeof PretrainedConfig): void;
/** Maps (model_type, task) to a model class: `registerModel("gpt2", "causal-lm", GPT2LMHeadModel)`. */
export declare function registerModel(modelType: string, task: AutoTask, cls: RegisteredModelClass): void;
export declare function supportedModelTypes(): string[];
/** The class registered for the task, or an error naming the tasks the family has. */
export declare function modelClassFor(modelType: string, task: AutoTask): RegisteredModelClass;
export declare class AutoConfig {
    /** The config class of the folder's (or hub repository's) model_type, filled from config.json. */
    static fromPretrained(nameOrPath: string, opts?: ResolveOptions & {
        config?: ConfigDict;
    }): Promise<PretrainedConfig>;
    /** A config of the given model_type from a dict (defaults filled in). */
    static forModel(modelType: string, dict?: ConfigDict): PretrainedConfig;
}
export declare const AutoModel: {
    new (): {};
    readonly task: TaskKind;
    toString(): string;
    /** Loads the class registered for config.json's model_type and this task. */
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    /** A freshly initialised model (random weights) of the config's model_type. */
    fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel;
};
export declare const AutoModelForSequenceClassification: {
    new (): {};
    readonly task: TaskKind;
    toString(): string;
    /** Loads the class registered for config.json's model_type and this task. */
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    /** A freshly initialised model (random weights) of the config's model_type. */
    fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel;
};
export declare const AutoModelForTokenClassification: {
    new (): {};
    readonly task: TaskKind;
    toString(): string;
    /** Loads the class registered for config.json's model_type and this task. */
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    /** A freshly initialised model (random weights) of the config's model_type. */
    fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel;
};
export declare const AutoModelForCausalLM: {
    new (): {};
    readonly task: TaskKind;
    toString(): string;
    /** Loads the class registered for config.json's model_type and this task. */
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    /** A freshly initialised model (random weights) of the config's model_type. */
    fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel;
};
export declare const AutoModelForMaskedLM: {
    new (): {};
    readonly task: TaskKind;
    toString(): string;
    /** Loads the class registered for config.json's model_type and this task. */
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    /** A freshly initialised model (random weights) of the config's model_type. */
    fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel;
};
export declare const AutoModelForSeq2SeqLM: {
    new (): {};
    readonly task: TaskKind;
    toString(): string;
    /** Loads the class registered for config.json's model_type and this task. */
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    /** A freshly initialised model (random weights) of the config's model_type. */
    fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel;
};
export declare const AutoModelForQuestionAnswering: {
    new (): {};
    readonly task: TaskKind;
    toString(): string;
    /** Loads the class registered for config.json's model_type and this task. */
    fromPretrained(nameOrPath: string, opts?: FromPretrainedOptions): Promise<PreTrainedModel>;
    /** A freshly initialised model (random weights) of the config's model_type. */
    fromConfig(config: PretrainedConfig | ConfigDict): PreTrainedModel;
};
