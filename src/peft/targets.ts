/**
 * Which modules a PEFT method wraps, by PEFT's rules (tuners_utils.check_target_module_exists):
 * a string is a regex that must match the whole module path; a list matches a path exactly or
 * as its suffix after a dot; "all-linear" is every linear layer but the output head;
 * exclude_modules uses the same rules; layers_to_transform keeps only the given layer indices.
 * Default targets per model_type are PEFT's tables (utils/constants.py).
 */
import { Module, Linear, isLinearLike, type LinearLike } from "../nn/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { PeftConfigError, type TaskType } from "./config.js";

export type WeightLayout = "out_in" | "in_out";

/** PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING, for the families tunelab has. */
export const LORA_TARGET_MODULES: Record<string, string[]> = {
  bert: ["query", "value"],
  roberta: ["query", "value"],
  "xlm-roberta": ["query", "value"],
  // Not in PEFT's table (PEFT asks for target_modules); DistilBERT's attention projections.
  distilbert: ["q_lin", "v_lin"],
  gpt2: ["c_attn"],
  llama: ["q_proj", "v_proj"],
  mistral: ["q_proj", "v_proj"],
  qwen2: ["q_proj", "v_proj"],
  t5: ["q", "v"],
  mt5: ["q", "v"],
};

/** PEFT's TRANSFORMERS_MODELS_TO_IA3_TARGET_MODULES_MAPPING. */
export const IA3_TARGET_MODULES: Record<string, string[]> = {
  bert: ["key", "value", "output.dense"],
  roberta: ["key", "value", "output.dense"],
  gpt2: ["c_attn", "mlp.c_proj"],
  llama: ["k_proj", "v_proj", "down_proj"],
  mistral: ["k_proj", "v_proj", "down_proj"],
  qwen2: ["q_proj", "v_proj", "down_proj"],
  t5: ["k", "v", "wo"],
  mt5: ["k", "v", "wi_1"],
};

/** PEFT's TRANSFORMERS_MODELS_TO_IA3_FEEDFORWARD_MODULES_MAPPING. */
export const IA3_FEEDFORWARD_MODULES: Record<string, string[]> = {
  bert: ["output.dense"],
  roberta: ["output.dense"],
  gpt2: ["mlp.c_proj"],
  llama: ["down_proj"],
  mistral: ["down_proj"],
  qwen2: ["down_proj"],
  t5: ["wo"],
  mt5: [],
};

/** PEFT's SEQ_CLS_HEAD_NAMES: task heads that "all-linear" leaves alone and SEQ_CLS trains fully. */
export const SEQ_CLS_HEAD_NAMES = ["classifier", "score"];

/** Marks PEFT wrapper layers: their insides are never targets themselves. */
export interface TunerLayerLike extends Module {
  readonly isTunerLayer: true;
  readonly baseLayer: Module;
}

export function isTunerLayer(m: Module): m is TunerLayerLike {
  return (m as unknown as { isTunerLayer?: unknown }).isTunerLayer === true;
}

/**
 * The weight layout of a linear-like layer: nn.Linear (out, in), or what a module declares as
 * `weightLayout` (GPT-2's Conv1D: (in, out); a quantized linear); null for everything else.
 */
export function weightLayoutOf(m: Module): WeightLayout | null {
  const declared = (m as { weightLayout?: unknown }).weightLayout;
  if (declared === "out_in" || declared === "in_out") return declared;
  if (m instanceof Linear) return "out_in";
  return null;
}

/** A linear layer a tuner wraps: the layer itself, typed for its slot, and its (in, out) features. */
export interface LinearDims {
  layer: LinearLike;
  inFeatures: number;
  outFeatures: number;
  layout: WeightLayout;
}

/** (in, out) features of a linear-like layer, read from its weight and layout. */
export function linearDims(m: Module): LinearDims {
  const layout = weightLayoutOf(m);
  if (!layout || !isLinearLike(m)) throw new PeftConfigError(`[peft] ${m.constructor.name} is not a linear layer (nn.Linear or Conv1D)`);
  const declared = m as { inFeatures?: number; outFeatures?: number };
  if (typeof declared.inFeatures === "number" && typeof declared.outFeatures === "number") {
    return { layer: m, inFeatures: declared.inFeatures, outFeatures: declared.outFeatures, layout };
  }
  const w = m.param("weight");
  return layout === "out_in" ? { layer: m, inFeatures: w.shape[1], outFeatures: w.shape[0], layout } : { layer: m, inFeatures: w.shape[0], outFeatures: w.shape[1], layout };
}

/** A list entry matches exactly or as the suffix after a dot; a string is a full-match regex. */
export function matchesModuleList(key: string, targets: string[] | string): boolean {
  if (typeof targets === "string") return new RegExp(`^(?:${targets})$`).test(key);
  return targets.some((t) => key === t || key.endsWith(`.${t}`));
}

/** The layer index a path holds (`...layer.3.attention...` → 3) under PEFT's layers_pattern rule. */
export function layerIndexOf(key: string, layersPattern: string[] | string | null): number | null {
  const patterns = layersPattern === null ? [null] : typeof layersPattern === "string" ? [layersPattern] : layersPattern;
  for (const p of patterns) {
    const re = p === null ? /^.*\.[^.]*\.(\d+)\./ : new RegExp(`^.*\\.(?:${p})\\.(\\d+)\\.`);
    const m = re.exec(key);
    if (m) return Number(m[1]);
  }
  return null;
}

export interface TargetSpec {
  target_modules: string[] | string | null;
  exclude_modules?: string[] | string | null;
  layers_to_transform?: number[] | null;
  layers_pattern?: string[] | string | null;
  task_type?: TaskType | null;
  modules_to_save?: string[] | null;
}

/** Modules of `root` in path order, without descending into PEFT wrappers (the wrapper itself is listed). */
export function* walkModules(root: Module, prefix = ""): Generator<[string, Module]> {
  yield [prefix, root];
  if (isTunerLayer(root) && prefix !== "") return;
  for (const [name, child] of root.namedChildren()) yield* walkModules(child, prefix ? `${prefix}.${name}` : name);
}

/** Full paths of every linear layer except the output head (and, for SEQ_CLS, the classifier). */
export function allLinearTargets(model: PreTrainedModel, taskType: TaskType | null | undefined): string[] {
  const out: string[] = [];
  const heads = new Set(["lm_head"]);
  if (taskType === "SEQ_CLS") for (const h of SEQ_CLS_HEAD_NAMES) if (model.child(h)) heads.add(h);
  for (const [path, m] of walkModules(model)) {
    if (!path) continue;
    const base = isTunerLayer(m) ? m.baseLayer : m;
    if (weightLayoutOf(base) && !heads.has(path)) out.push(path);
  }
  return out;
}

/** Leaf names of modules that own a weight: what an error suggests instead of a typo. */
export function candidateNames(model: Module): string[] {
  const linear: string[] = [];
  const other: string[] = [];
  for (const [path, m] of walkModules(model)) {
    const base = isTunerLayer(m) ? m.baseLayer : m;
    let hasWeight = false;
    try {
      hasWeight = base.param("weight") !== null;
    } catch {
      hasWeight = false;
    }
    if (!path || !hasWeight) continue;
    const leaf = path.slice(path.lastIndexOf(".") + 1);
    const list = weightLayoutOf(base) ? linear : other;
    if (!list.includes(leaf)) list.push(leaf);
  }
  return [...linear, ...other.filter((n) => !linear.includes(n))];
}

/**
 * Resolves the paths to wrap. `accept` filters modules the method can wrap (linear layers for
 * LoRA/IA3). Errors tell "nothing matched" from "everything matched was excluded", as PEFT does.
 */
export function resolveTargets(
  model: PreTrainedModel,
  spec: TargetSpec,
  opts: { method: string; defaults?: Record<string, string[]>; accept?: (m: Module, path: string) => boolean },
): { paths: string[]; targetModules: string[] | string } {
  let targets = spec.target_modules;
  const modelType = String(model.config?.model_type ?? "");
  if (targets === null || targets === undefined) {
    const d = opts.defaults?.[modelType];
    if (!d) {
      throw new PeftConfigError(
        `[peft] ${opts.method}: no default target_modules for model_type "${modelType}"; set target_modules (modules with a weight include ${candidateNames(model).slice(0, 12).join(", ")})`,
      );
    }
    targets = [...d];
  }
  let allLinear: Set<string> | null = null;
  if (typeof targets === "string" && targets.toLowerCase() === "all-linear") {
    allLinear = new Set(allLinearTargets(model, spec.task_type));
  }
  const skip = new Set(spec.modules_to_save ?? []);
  const matched: string[] = [];
  const excluded: string[] = [];
  for (const [path, m] of walkModules(model)) {
    if (!path) continue;
    const hit = allLinear ? allLinear.has(path) : matchesModuleList(path, targets);
    if (!hit) continue;
    if (spec.layers_to_transform && spec.layers_to_transform.length) {
      const idx = layerIndexOf(path, spec.layers_pattern ?? null);
      if (idx === null || !spec.layers_to_transform.includes(idx)) continue;
    }
    if (spec.exclude_modules && matchesModuleList(path, spec.exclude_modules)) {
      excluded.push(path);
      continue;
    }
    if (matchesModuleList(path, [...skip])) continue;
    if (opts.accept && !opts.accept(m, path)) {
      const layer = isTunerLayer(m) ? m.baseLayer : m;
      throw new PeftConfigError(
        `[peft] ${opts.method}: target module "${path}" is a ${layer.constructor.name}; only linear layers (nn.Linear, Conv1D) are supported — narrow target_modules`,
      );
    }
    matched.push(path);
  }
  if (matched.length === 0) {
    const shown = typeof targets === "string" ? JSON.stringify(targets) : `[${targets.map((t) => JSON.stringify(t)).join(", ")}]`;
    if (excluded.length) {
      throw new PeftConfigError(`[peft] ${opts.method}: all modules were excluded. This is likely unintended: exclude_modules removed every match of target_modules ${shown} (${excluded.slice(0, 6).join(", ")})`);
    }
    const layers = spec.layers_to_transform?.length ? ` in layers_to_transform ${JSON.stringify(spec.layers_to_transform)}` : "";
    throw new PeftConfigError(
      `[peft] ${opts.method}: Target modules ${shown} not found in the base model${layers}; modules with a weight include ${candidateNames(model).slice(0, 12).join(", ")}`,
    );
  }
  return { paths: matched, targetModules: allLinear ? targets : targets };
}
