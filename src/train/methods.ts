/**
 * Training methods: how a loaded model is prepared before training. "full" (every weight
 * trains) is built in; parameter-efficient methods (LoRA, adapters, prefix/prompt tuning,
 * IA3, BitFit) register themselves from src/peft with one registerTrainingMethod call each.
 * A method's `apply` returns the model to train; a PEFT wrapper's savePretrained writes
 * only the adapter and its loadCheckpointWeights reads it back, which is all the Trainer
 * and its checkpoints need.
 */
import type { TrainableModel } from "./model_contract.js";
import { nearestName } from "./suggest.js";

export type MethodSection = Record<string, unknown>;

export interface TrainingMethodContext {
  /** The task being trained ("text_classification", "causal_lm", ...). */
  task: string;
  /** config.model_type of the base model ("bert", "llama", ...). */
  model_type: string;
  /** The model folder or hub id (adapter_config.json's base_model_name_or_path). */
  base_model_name_or_path: string;
}

export interface TrainingMethod {
  /** The name used in the YAML (`method: lora`), lower case. */
  name: string;
  /** PEFT's peft_type when there is one ("LORA"): `peft: { peft_type: LORA }` selects it too. */
  peft_type?: string;
  /** Every problem with the section (config keys, values), checked before any work starts. */
  validate?(section: MethodSection): string[];
  /** Prepares the model (wraps, freezes); may be async (e.g. loading an existing adapter). */
  apply(model: TrainableModel, section: MethodSection, ctx: TrainingMethodContext): TrainableModel | Promise<TrainableModel>;
  /** One line for logs: "trainable params: ... || all params: ... || trainable%: ...". */
  describe?(model: TrainableModel): string;
}

const METHODS = new Map<string, TrainingMethod>();

export function registerTrainingMethod(method: TrainingMethod): void {
  const name = method.name.toLowerCase();
  if (METHODS.has(name)) throw new Error(`[train] training method "${name}" is registered twice`);
  METHODS.set(name, { ...method, name });
}

export function trainingMethodNames(): string[] {
  return [...METHODS.keys()].sort();
}

/** The method a config selects: `method:` wins, else `peft.peft_type`, else "full". */
export function resolveMethodName(method: unknown, peft: MethodSection | undefined): string {
  if (typeof method === "string" && method) return method.toLowerCase();
  const peftType = peft?.peft_type;
  if (typeof peftType === "string") {
    const byType = [...METHODS.values()].find((m) => m.peft_type?.toUpperCase() === peftType.toUpperCase());
    return byType ? byType.name : peftType.toLowerCase();
  }
  return peft && Object.keys(peft).length ? "lora" : "full";
}

export function getTrainingMethod(name: string): TrainingMethod {
  const m = METHODS.get(name.toLowerCase());
  if (!m) {
    const near = nearestName(name, METHODS.keys());
    throw new Error(
      `[train] unknown method "${name}"${near ? `; did you mean "${near}"?` : ""} Registered methods: ${trainingMethodNames().join(", ")}` +
        (METHODS.size <= 1 ? " (parameter-efficient methods register from src/peft when it is installed)" : ""),
    );
  }
  return m;
}

/** Problems with a method choice and its section (empty when valid). */
export function validateMethod(name: string, section: MethodSection): string[] {
  const m = METHODS.get(name.toLowerCase());
  if (!m) {
    const near = nearestName(name, METHODS.keys());
    return [`method: unknown method "${name}"${near ? `; did you mean "${near}"?` : ""} (registered: ${trainingMethodNames().join(", ")})`];
  }
  return m.validate ? m.validate(section).map((p) => `peft: ${p}`) : [];
}

export async function applyTrainingMethod(model: TrainableModel, name: string, section: MethodSection, ctx: TrainingMethodContext): Promise<TrainableModel> {
  return getTrainingMethod(name).apply(model, section, ctx);
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

registerTrainingMethod({
  name: "full",
  validate: (section) => (Object.keys(section).length ? [`method "full" takes no peft options, got ${Object.keys(section).join(", ")}; remove the peft section or choose a PEFT method`] : []),
  apply: (model) => model,
});

/**
 * Loading a saved adapter folder (adapter_config.json) onto a base model for evaluation or
 * prediction; src/peft registers the loader (PeftModel.fromPretrained).
 */
export type AdapterLoader = (base: TrainableModel, dir: string) => Promise<TrainableModel>;
let adapterLoader: AdapterLoader | null = null;

export function registerAdapterLoader(loader: AdapterLoader): void {
  adapterLoader = loader;
}

export async function loadAdapter(base: TrainableModel, dir: string): Promise<TrainableModel> {
  if (!adapterLoader) throw new Error(`[train] ${dir} holds an adapter (adapter_config.json) but no PEFT support is registered; import tunelab's peft module first`);
  return adapterLoader(base, dir);
}
