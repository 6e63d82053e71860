/**
 * Training methods: how a loaded model is prepared before training. `full` (every weight
 * trains) is the Trainer's own; every other name — lora, dora, ia3, adapter, bitfit,
 * prompt_tuning, prefix_tuning and any method registered with src/peft's `peftMethods` — is
 * looked up there, validated before any work, and applied with PEFT's task_type for the task.
 * A PEFT wrapper's savePretrained writes only the adapter and its loadCheckpointWeights reads
 * it back, which is all the Trainer and its checkpoints need.
 */
import { type MethodInfo, type TaskType, PeftConfigError, applyMethod, loadAdapterFor, methodProblems, peftMethods } from "../peft/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import type { TrainableModel } from "./model_contract.js";

export type MethodSection = Record<string, unknown>;

/** The method that wraps nothing: every parameter trains. */
export const FULL_METHOD = "full";

export interface TrainingMethodContext {
  /** The task being trained ("text_classification", "causal_lm", ...). */
  task: string;
  /** config.model_type of the base model ("bert", "llama", ...). */
  model_type: string;
  /** The model folder or hub id (adapter_config.json's base_model_name_or_path). */
  base_model_name_or_path: string;
}

/** PEFT's task_type for each task (what PeftModelFor<Task> PEFT would build). */
const TASK_TYPE: Record<string, TaskType | null> = {
  text_classification: "SEQ_CLS",
  token_classification: "TOKEN_CLS",
  causal_lm: "CAUSAL_LM",
  seq2seq: "SEQ_2_SEQ_LM",
  extractive_qa: "QUESTION_ANS",
  masked_lm: null,
};

/** Every method name a config may use, sorted: full and the registry's. */
export function trainingMethodNames(): string[] {
  return [FULL_METHOD, ...peftMethods.names()].sort();
}

/** Every method with its one-line summary (full first), for help and `tunelab compare`. */
export function listTrainingMethods(): MethodInfo[] {
  return [{ name: FULL_METHOD, peft_type: "", summary: "full fine-tuning: every weight trains", variant_of: null }, ...peftMethods.list()];
}

/** The method a config selects: `method:` wins, else `peft.peft_type`, else "full" (or "lora" for a bare peft section). */
export function resolveMethodName(method: unknown, peft: MethodSection | undefined): string {
  if (typeof method === "string" && method) return method.toLowerCase();
  const peftType = peft?.peft_type;
  if (typeof peftType === "string") {
    const known = peftMethods.peftTypes().find((t) => t === peftType.toUpperCase());
    return known ? peftMethods.get(known).name : peftType.toLowerCase();
  }
  return peft && Object.keys(peft).length ? "lora" : FULL_METHOD;
}

/** Problems with a method choice and its section (empty when valid), each naming its YAML section. */
export function validateMethod(name: string, section: MethodSection): string[] {
  if (name.toLowerCase() === FULL_METHOD) {
    const keys = Object.keys(section);
    return keys.length ? [`peft: method "full" takes no peft options, got ${keys.join(", ")}; remove the peft section or choose a PEFT method`] : [];
  }
  if (!peftMethods.has(name)) return [`method: ${unknownMethod(name)}`];
  return methodProblems({ ...section, method: name }).map((p) => `peft: ${p.replace(/^\[peft\] /, "")}`);
}

function unknownMethod(name: string): string {
  try {
    peftMethods.choose(name);
  } catch (err) {
    if (err instanceof PeftConfigError) return err.message.replace(/^\[peft\] /, "");
    throw err;
  }
  return `unknown method "${name}"`;
}

/**
 * Modules whose weights the checkpoint lacked (a pooler or DistilBERT's pre_classifier under an
 * MLM checkpoint, the new task head): random, so frozen they would be noise that the adapter
 * does not carry — a reload draws other values. They go to modules_to_save: trained, and saved
 * with the adapter, as PEFT does for the classifier.
 */
function newlyInitializedModules(model: PreTrainedModel): string[] {
  const keys = model.loadReport?.newlyInitialized ?? [];
  return [...new Set(keys.map((k) => k.slice(0, Math.max(0, k.lastIndexOf(".")))).filter((p) => p !== ""))];
}

/** Prepares `model` for training with method `name`: itself for full, else a PeftModel. */
export async function applyTrainingMethod(model: TrainableModel, name: string, section: MethodSection, ctx: TrainingMethodContext): Promise<TrainableModel> {
  if (name.toLowerCase() === FULL_METHOD) {
    const problems = validateMethod(name, section);
    if (problems.length) throw new Error(`[train] ${problems[0]}`);
    return model;
  }
  const spec: MethodSection = {
    ...section,
    method: name,
    task_type: section.task_type ?? TASK_TYPE[ctx.task] ?? null,
    base_model_name_or_path: section.base_model_name_or_path ?? (ctx.base_model_name_or_path || null),
  };
  const base = model as unknown as PreTrainedModel;
  const fresh = newlyInitializedModules(base);
  if (fresh.length) spec.modules_to_save = [...new Set([...((section.modules_to_save as string[] | undefined) ?? []), ...fresh])];
  return applyMethod(base, spec) as unknown as TrainableModel;
}

/**
 * Loads a saved adapter folder (adapter_config.json) onto a base model for evaluation or
 * prediction; `method` is the run's method name when its variant prepares the base (qlora).
 */
export async function loadAdapter(base: TrainableModel, dir: string, method?: string): Promise<TrainableModel> {
  return loadAdapterFor(base as unknown as PreTrainedModel, dir, { method }) as unknown as TrainableModel;
}

/** PEFT's wording, for any model. */
export function describeTrainableParameters(model: TrainableModel): string {
  let all = 0;
  let trainable = 0;
  for (const [, p] of model.namedParameters()) {
    all += p.numel;
    if (p.requiresGrad) trainable += p.numel;
  }
  return `trainable params: ${trainable.toLocaleString("en-US")} || all params: ${all.toLocaleString("en-US")} || trainable%: ${((100 * trainable) / Math.max(all, 1)).toFixed(4)}`;
}
