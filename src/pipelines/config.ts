/**
 * What a run is made of, as the library takes it: the model, tokenizer, task (canonical
 * name), data, training method and Hugging Face TrainingArguments. Each section is one zod
 * schema: the TypeScript type, the defaults, the checks and the JSON Schema editors use
 * (schema/tunelab-config.schema.json) all come from it, so a new option is one line here.
 * The CLI reads the same shape from YAML (src/cli/config.ts), resolving aliases and paths.
 */
import { z } from "zod";
import { DATA_FORMATS } from "../data/readers.js";
import { classificationOptionsSchema } from "../data/formats/classification.js";
import { tokenClassificationOptionsSchema } from "../data/formats/token_classification.js";
import { causalLmOptionsSchema } from "../data/formats/causal_lm.js";
import { maskedLmOptionsSchema } from "../data/formats/masked_lm.js";
import { seq2seqOptionsSchema } from "../data/formats/seq2seq.js";
import { extractiveQaOptionsSchema } from "../data/formats/extractive_qa.js";
import { column, flag, positiveInt } from "../data/formats/options.js";
import type { TaskName, TaskOptions } from "./tasks.js";

const path = (what = "a path") => z.string({ error: what }).min(1, { error: what });

export const modelSectionSchema = z.strictObject({
  /** A folder or hub id of a pretrained model. */
  name_or_path: path("a model folder or hub id").optional(),
  /** A config.json (or a dict) to build a randomly initialised model from (pretraining). */
  from_config: z.union([path("a config.json path or a mapping"), z.record(z.string(), z.unknown())], { error: "a config.json path or a mapping" }).optional(),
  /** Config overrides (dropout, ...). */
  config: z.record(z.string(), z.unknown(), { error: "a mapping of config overrides" }).optional(),
  torch_dtype: z.enum(["float32", "bfloat16", "float16", "auto"], { error: "one of float32, bfloat16, float16, auto" }).optional(),
  revision: z.string({ error: "a branch, tag or commit" }).optional(),
  local_files_only: flag().optional(),
});
export type ModelSection = z.infer<typeof modelSectionSchema>;

export const datasetSectionSchema = z.strictObject({
  /** A file, or a folder of split files (train.*, validation.* or dev.*, test.*). */
  path: path().optional(),
  train_file: path().optional(),
  validation_file: path().optional(),
  test_file: path().optional(),
  format: z.enum(DATA_FORMATS as [string, ...string[]], { error: `one of ${DATA_FORMATS.join(", ")}` }).optional(),
  /** JSON: the key holding the list of rows ({"data": [...]}). */
  field: z.string({ error: "a key" }).optional(),
  on_bad_rows: z.enum(["fail", "skip"], { error: '"fail" or "skip"' }).optional(),
  /** CSV/TSV: the columns' names, for files without a header row (the first row is then data). */
  column_names: z.array(column(), { error: "a list of column names" }).min(1, { error: "a list of column names" }).optional(),
  /** CSV/TSV: whether the first row names the columns (default true; false with column_names). */
  header: flag().optional(),
  /** Fraction (or count) of train held out for validation when there is no validation split. */
  validation_split: z.number({ error: "a fraction in (0, 1) or a row count" }).positive({ error: "a fraction in (0, 1) or a row count" }).optional(),
  max_train_samples: positiveInt().optional(),
  max_eval_samples: positiveInt().optional(),
  split_seed: z.number({ error: "a non-negative integer" }).int({ error: "a non-negative integer" }).nonnegative({ error: "a non-negative integer" }).optional(),
  stratify_by_column: column().optional(),
  /** Read the train split lazily as training goes (HF's load_dataset(..., streaming=True)); needs max_steps. */
  streaming: flag().optional(),
  /** Streaming: rows held by the seeded shuffle buffer (default 1000; 0 keeps the file's order). */
  shuffle_buffer_size: z.number({ error: "a whole number of rows (0 keeps the file's order)" }).int({ error: "a whole number of rows (0 keeps the file's order)" }).nonnegative({ error: "a whole number of rows (0 keeps the file's order)" }).optional(),
});
export type DatasetSection = Omit<z.infer<typeof datasetSectionSchema>, "format"> & { format?: (typeof DATA_FORMATS)[number] };

/** BitsAndBytesConfig keys (checked by src/quant/config.ts; this schema serves editors). */
export const quantizationSectionSchema = z.strictObject({
  load_in_4bit: z.boolean().optional(),
  load_in_8bit: z.boolean().optional(),
  bnb_4bit_quant_type: z.enum(["nf4", "fp4"]).optional(),
  bnb_4bit_use_double_quant: z.boolean().optional(),
  bnb_4bit_compute_dtype: z.enum(["float32", "bfloat16"]).optional(),
  bnb_4bit_quant_storage: z.enum(["uint8", "int8", "float16", "bfloat16", "float32", "float64"]).optional(),
  llm_int8_skip_modules: z.array(z.string()).nullable().optional(),
  llm_int8_threshold: z.number().optional(),
  llm_int8_has_fp16_weight: z.boolean().optional(),
  llm_int8_enable_fp32_cpu_offload: z.boolean().optional(),
  quant_method: z.enum(["bitsandbytes"]).optional(),
});

export const earlyStoppingSchema = z.strictObject({
  early_stopping_patience: positiveInt().optional(),
  early_stopping_threshold: z.number({ error: "a non-negative number" }).nonnegative({ error: "a non-negative number" }).optional(),
});

/** The options each task's section takes, besides `type`. */
export const TASK_OPTION_SCHEMAS: Record<TaskName, z.ZodObject> = {
  text_classification: classificationOptionsSchema,
  token_classification: tokenClassificationOptionsSchema,
  causal_lm: causalLmOptionsSchema,
  masked_lm: maskedLmOptionsSchema,
  seq2seq: seq2seqOptionsSchema,
  extractive_qa: extractiveQaOptionsSchema,
};

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
