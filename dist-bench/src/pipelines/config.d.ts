/**
 * What a run is made of, as the library takes it: the model, tokenizer, task (canonical
 * name), data, training method and Hugging Face TrainingArguments. Each section is one zod
 * schema: the TypeScript type, the defaults, the checks and the JSON Schema editors use
 * (schema/tunelab-config.schema.json) all come from it, so a new option is one line here.
 * The CLI reads the same shape from YAML (src/cli/config.ts), resolving aliases and paths.
 */
import { z } from "zod";
import { DATA_FORMATS } from "../data/readers.js";
import type { TaskName, TaskOptions } from "./tasks.js";
export declare const modelSectionSchema: z.ZodObject<{
    name_or_path: z.ZodOptional<z.ZodString>;
    from_config: z.ZodOptional<z.ZodUnion<readonly [z.ZodString, z.ZodRecord<z.ZodString, z.ZodUnknown>]>>;
    config: z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodUnknown>>;
    torch_dtype: z.ZodOptional<z.ZodEnum<{
        float32: "float32";
        bfloat16: "bfloat16";
        float16: "float16";
        auto: "auto";
    }>>;
    revision: z.ZodOptional<z.ZodString>;
    local_files_only: z.ZodOptional<z.ZodBoolean>;
}, z.core.$strict>;
export type ModelSection = z.infer<typeof modelSectionSchema>;
export declare const datasetSectionSchema: z.ZodObject<{
    path: z.ZodOptional<z.ZodString>;
    train_file: z.ZodOptional<z.ZodString>;
    validation_file: z.ZodOptional<z.ZodString>;
    test_file: z.ZodOptional<z.ZodString>;
    format: z.ZodOptional<z.ZodEnum<{
        [x: string]: string;
    }>>;
    field: z.ZodOptional<z.ZodString>;
    on_bad_rows: z.ZodOptional<z.ZodEnum<{
        fail: "fail";
        skip: "skip";
    }>>;
    validation_split: z.ZodOptional<z.ZodNumber>;
    max_train_samples: z.ZodOptional<z.ZodNumber>;
    max_eval_samples: z.ZodOptional<z.ZodNumber>;
    split_seed: z.ZodOptional<z.ZodNumber>;
    stratify_by_column: z.ZodOptional<z.ZodString>;
    streaming: z.ZodOptional<z.ZodBoolean>;
    shuffle_buffer_size: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
export type DatasetSection = Omit<z.infer<typeof datasetSectionSchema>, "format"> & {
    format?: (typeof DATA_FORMATS)[number];
};
/** BitsAndBytesConfig keys (checked by src/quant/config.ts; this schema serves editors). */
export declare const quantizationSectionSchema: z.ZodObject<{
    load_in_4bit: z.ZodOptional<z.ZodBoolean>;
    load_in_8bit: z.ZodOptional<z.ZodBoolean>;
    bnb_4bit_quant_type: z.ZodOptional<z.ZodEnum<{
        nf4: "nf4";
        fp4: "fp4";
    }>>;
    bnb_4bit_use_double_quant: z.ZodOptional<z.ZodBoolean>;
    bnb_4bit_compute_dtype: z.ZodOptional<z.ZodEnum<{
        float32: "float32";
        bfloat16: "bfloat16";
    }>>;
    bnb_4bit_quant_storage: z.ZodOptional<z.ZodEnum<{
        uint8: "uint8";
    }>>;
    llm_int8_skip_modules: z.ZodOptional<z.ZodNullable<z.ZodArray<z.ZodString>>>;
    llm_int8_threshold: z.ZodOptional<z.ZodNumber>;
    llm_int8_has_fp16_weight: z.ZodOptional<z.ZodBoolean>;
    llm_int8_enable_fp32_cpu_offload: z.ZodOptional<z.ZodBoolean>;
    quant_method: z.ZodOptional<z.ZodEnum<{
        bitsandbytes: "bitsandbytes";
    }>>;
}, z.core.$strict>;
export declare const earlyStoppingSchema: z.ZodObject<{
    early_stopping_patience: z.ZodOptional<z.ZodNumber>;
    early_stopping_threshold: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
/** The options each task's section takes, besides `type`. */
export declare const TASK_OPTION_SCHEMAS: Record<TaskName, z.ZodObject>;
export interface RunConfig {
    model: ModelSection;
    /** Tokenizer folder or hub id (default: the model's). */
    tokenizer?: string | null;
    task: TaskName;
    taskOptions?: TaskOptions;
    dataset: DatasetSection;
    /** "full" (default) or a PEFT method name (lora, ia3, bitfit, ...). */
    method?: string;
    /** The method's PEFT config keys (r, lora_alpha, target_modules, ...). */
    peft?: Record<string, unknown>;
    /** Transformers' BitsAndBytesConfig keys (load_in_4bit, bnb_4bit_quant_type, ...): the base loads quantized. */
    quantization?: Record<string, unknown> | null;
    /** TrainingArguments by their Hugging Face names. */
    training?: Record<string, unknown>;
    early_stopping?: z.infer<typeof earlyStoppingSchema> | null;
    /** The config file it came from (names the default output_dir), if any. */
    file?: string | null;
    /** Where relative defaults (runs/<name>) go; default the working directory. */
    baseDir?: string;
}
