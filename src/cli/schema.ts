/**
 * The JSON Schema of a config file (schema/tunelab-config.schema.json, shipped with the
 * package): built from the same zod schemas that check configs, so editors complete and
 * check train.yaml with exactly the keys, values and defaults tunelab accepts. Point an
 * editor at it with `# yaml-language-server: $schema=<path or URL>` on the first line.
 */
import { z } from "zod";
import { IGNORED_HF_KEYS, trainingArgumentsSchema } from "../train/training_args.js";
import { trainingMethodNames } from "../train/methods.js";
import { TASK_OPTION_SCHEMAS, datasetSectionSchema, earlyStoppingSchema, modelSectionSchema, quantizationSectionSchema } from "../pipelines/config.js";
import { TASK_ALIASES, TASK_NAMES } from "./vocabulary.js";
import { compareSectionSchema, sweepSectionSchema } from "./tune/search_space.js";

export const CONFIG_SCHEMA_FILE = "schema/tunelab-config.schema.json";

const ignored = Object.fromEntries(IGNORED_HF_KEYS.map((k) => [k, z.unknown().optional().describe("accepted for Hugging Face compatibility; no effect here")]));

/** The config file's schema (YAML input form: strings standing for sections, aliases, top-level training arguments). */
export function configFileSchema(): z.ZodObject {
  const aliasesOf = (task: string) => Object.keys(TASK_ALIASES).filter((a) => TASK_ALIASES[a] === task) as [string, ...string[]];
  const taskSections = TASK_NAMES.map((t) => TASK_OPTION_SCHEMAS[t].extend({ type: z.enum(aliasesOf(t)) }).describe(`${t} and its options`));
  const training = trainingArgumentsSchema.extend(ignored).partial();
  return z.strictObject({
    model: z.union([z.string().describe("a model folder or hub id"), modelSectionSchema]),
    tokenizer: z.string().nullable().optional().describe("tokenizer folder or hub id (default: the model's)"),
    task: z.union([z.enum(Object.keys(TASK_ALIASES) as [string, ...string[]]), ...taskSections]),
    dataset: z.union([z.string().describe("a data file, or a folder of train/validation/test files"), datasetSectionSchema]),
    method: z.enum(trainingMethodNames() as [string, ...string[]]).optional().describe("full (default) or a parameter-efficient method"),
    peft: z.record(z.string(), z.unknown()).optional().describe("the method's PEFT config keys (r, lora_alpha, target_modules, ...)"),
    quantization: quantizationSectionSchema.nullable().optional().describe("Transformers' BitsAndBytesConfig: load the base in 4 or 8 bits (method: qlora)"),
    training: training.optional().describe("Hugging Face TrainingArguments"),
    early_stopping: earlyStoppingSchema.nullable().optional(),
    compare: compareSectionSchema.optional().describe("tunelab compare: methods, and { peft, training } overrides per method"),
    sweep: sweepSectionSchema.optional().describe("tunelab sweep: strategy, n_trials, seed, metric, pruning, parameters (key: [values] or { min, max, scale, type, num })"),
    // A pasted TrainingArguments dict may sit at the top level.
    ...training.shape,
  });
}

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configFileSchema(), { io: "input", unrepresentable: "any" }),
    title: "tunelab run config (train.yaml)",
  };
}
