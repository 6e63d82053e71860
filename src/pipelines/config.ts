/**
 * What a run is made of, as the library takes it: the model, tokenizer, task (canonical
 * name), data, training method and Hugging Face TrainingArguments. The CLI reads the same
 * shape from YAML (src/cli/config.ts), resolving aliases and relative paths first.
 */
import type { TaskName, TaskOptions } from "./tasks.js";
import type { BadRowPolicy } from "../data/bad_rows.js";
import type { DataFormat } from "../data/readers.js";
import type { EarlyStoppingOptions } from "../train/callbacks.js";

export interface ModelSection {
  /** A folder or hub id of a pretrained model. */
  name_or_path?: string;
  /** A config.json (or a dict) to build a randomly initialised model from (pretraining). */
  from_config?: string | Record<string, unknown>;
  /** Config overrides (dropout, ...). */
  config?: Record<string, unknown>;
  torch_dtype?: string;
  revision?: string;
  local_files_only?: boolean;
}

export interface DatasetSection {
  path?: string;
  train_file?: string;
  validation_file?: string;
  test_file?: string;
  format?: DataFormat;
  field?: string;
  on_bad_rows?: BadRowPolicy;
  /** Fraction (or count) of train held out for validation when there is no validation split. */
  validation_split?: number;
  max_train_samples?: number;
  max_eval_samples?: number;
  split_seed?: number;
  stratify_by_column?: string;
  /** Read the train split lazily as training goes (HF's load_dataset(..., streaming=True)); needs max_steps. */
  streaming?: boolean;
  /** Streaming: rows held by the seeded shuffle buffer (default 1000; 0 keeps the file's order). */
  shuffle_buffer_size?: number;
}

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
  /** TrainingArguments by their Hugging Face names. */
  training?: Record<string, unknown>;
  early_stopping?: EarlyStoppingOptions | null;
  /** The config file it came from (names the default output_dir), if any. */
  file?: string | null;
  /** Where relative defaults (runs/<name>) go; default the working directory. */
  baseDir?: string;
}
