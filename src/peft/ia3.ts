/**
 * (IA)³ (tuners/ia3): a learned vector rescales a frozen linear layer — its input for
 * feed-forward layers, its output otherwise. Initialised to ones, so the model starts as the
 * base. Parameter `ia3_l.<adapter>`: (1, in) for feed-forward layers, (out, 1) otherwise.
 */
import { type Tensor, mul, randn, ones, noGrad } from "../tensor/index.js";
import { Module, type LinearLike } from "../nn/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader, PeftConfigError, parseOrThrow } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { ParameterDict } from "./modules_to_save.js";
import {
  type TunerLayerLike, type WeightLayout, IA3_TARGET_MODULES, IA3_FEEDFORWARD_MODULES, linearDims, matchesModuleList, resolveTargets, weightLayoutOf, isTunerLayer,
} from "./targets.js";

export interface IA3Config extends PeftConfig {
  peft_type: "IA3";
  target_modules: string[] | string | null;
  exclude_modules: string[] | string | null;
  feedforward_modules: string[] | string | null;
  fan_in_fan_out: boolean;
  init_ia3_weights: boolean;
}

/** Reads a IA3 config, noting every problem on the reader. */
export function readIA3Config(r: ConfigReader): IA3Config {
  const dict = r.dict;
  const base = r.base("IA3", ["target_modules", "exclude_modules", "feedforward_modules", "fan_in_fan_out", "init_ia3_weights"]);
  const cfg: IA3Config = {
    ...base,
    peft_type: "IA3",
    target_modules: r.targets("target_modules"),
    exclude_modules: r.targets("exclude_modules"),
    feedforward_modules: r.targets("feedforward_modules"),
    fan_in_fan_out: r.bool("fan_in_fan_out", false),
    init_ia3_weights: r.bool("init_ia3_weights", true),
  };
  const t = cfg.target_modules;
  const ff = cfg.feedforward_modules;
  if (Array.isArray(t) && Array.isArray(ff)) {
    const missing = ff.filter((f) => !t.includes(f));
    if (missing.length) r.problem(`[peft] IA3: feedforward_modules should be a subset of target_modules; not in target_modules: ${missing.join(", ")}`);
  }
  return cfg;
}


export class IA3Layer extends Module implements TunerLayerLike {
  readonly isTunerLayer = true as const;
  readonly base_layer: LinearLike;
  readonly ia3_l: ParameterDict;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly layout: WeightLayout;
  activeAdapters: string[] = [];
  readonly merged = new Set<string>();
  disabled = false;

  constructor(base: Module, readonly isFeedforward: boolean) {
    super();
    const d = linearDims(base);
    this.inFeatures = d.inFeatures;
    this.outFeatures = d.outFeatures;
    this.layout = d.layout;
    this.base_layer = this.addModule("base_layer", d.layer);
    this.ia3_l = this.addModule("ia3_l", new ParameterDict());
    base.requiresGrad(false);
  }

  get baseLayer(): Module {
    return this.base_layer;
  }

  updateLayer(name: string, initOnes: boolean): void {
    const shape = this.isFeedforward ? [1, this.inFeatures] : [this.outFeatures, 1];
    // A ParameterDict in PEFT: `ia3_l.default` is the tensor itself.
    this.ia3_l.set(name, initOnes ? ones(shape) : randn(shape));
    if (this.activeAdapters.length === 0) this.activeAdapters = [name];
  }

  vector(name: string): Tensor {
    return this.ia3_l.get(name)!;
  }

  setAdapter(names: string[], trainable: boolean): void {
    this.activeAdapters = names.filter((n) => this.ia3_l.has(n));
    for (const n of this.ia3_l.keys()) this.ia3_l.get(n)!.requiresGrad = trainable && this.activeAdapters.includes(n);
  }

  deleteAdapter(name: string): void {
    this.ia3_l.delete(name);
    this.activeAdapters = this.activeAdapters.filter((n) => n !== name);
  }

  forward(x: Tensor): Tensor {
    if (this.disabled) {
      if (this.merged.size) this.unmerge();
      return this.base_layer.forward(x);
    }
    let scale: Tensor | null = null;
    for (const n of this.activeAdapters) {
      if (this.merged.has(n)) continue;
      const v = this.vector(n).reshape(-1);
      scale = scale ? mul(scale, v) : v;
    }
    if (!scale) return this.base_layer.forward(x);
    return this.isFeedforward ? this.base_layer.forward(mul(x, scale)) : mul(this.base_layer.forward(x), scale);
  }

  /** W ← W·l (per input column for feed-forward layers, per output row and bias otherwise). */
  merge(names: string[] = this.activeAdapters): void {
    for (const n of names) {
      if (this.merged.has(n) || !this.ia3_l.has(n)) continue;
      this.rescale(this.vector(n).toFloat32Array(), false);
      this.merged.add(n);
    }
  }

  unmerge(): void {
    for (const n of [...this.merged].reverse()) {
      this.rescale(this.vector(n).toFloat32Array(), true);
      this.merged.delete(n);
    }
  }

  private rescale(l: Float32Array, inverse: boolean): void {
    const w = this.base_layer.param("weight");
    if (w.dtype !== "float32") throw new PeftConfigError(`[peft] IA3: cannot merge into a ${w.dtype} base weight; load the base model in float32`);
    // PEFT divides by (l + 1e-8) when unmerging.
    const f = (v: number) => (inverse ? 1 / (v + 1e-8) : v);
    const data = w.f32();
    const out = this.outFeatures;
    const inF = this.inFeatures;
    noGrad(() => {
      for (let i = 0; i < out; i++) {
        for (let j = 0; j < inF; j++) {
          const idx = this.layout === "out_in" ? i * inF + j : j * out + i;
          data[idx] *= f(this.isFeedforward ? l[j] : l[i]);
        }
      }
      const bias = (this.base_layer as Module & { bias?: Tensor | null }).bias;
      if (!this.isFeedforward && bias) {
        const b = bias.f32();
        for (let i = 0; i < out; i++) b[i] *= f(l[i]);
      }
    });
  }
}

export function injectIA3(model: PreTrainedModel, config: IA3Config, adapterName: string): void {
  const modelType = String(model.config.model_type);
  if (config.target_modules === null) {
    if (!IA3_TARGET_MODULES[modelType]) throw new PeftConfigError(`[peft] IA3: no default target_modules for model_type "${modelType}"; set target_modules and feedforward_modules`);
    config.target_modules = [...IA3_TARGET_MODULES[modelType]];
  }
  if (config.feedforward_modules === null) config.feedforward_modules = [...(IA3_FEEDFORWARD_MODULES[modelType] ?? [])];
  const { paths } = resolveTargets(model, config, {
    method: "IA3",
    accept: (m) => (m instanceof IA3Layer ? true : !isTunerLayer(m) && weightLayoutOf(m) !== null),
  });
  const ff = config.feedforward_modules;
  for (const path of paths) {
    const existing = model.getSubmodule(path);
    const isFf = matchesModuleList(path, ff);
    const layer = existing instanceof IA3Layer ? existing : new IA3Layer(existing, isFf);
    if (layer.isFeedforward !== isFf) throw new PeftConfigError(`[peft] IA3: "${path}" is already wrapped with feedforward = ${layer.isFeedforward}; adapters on one layer must agree`);
    config.fan_in_fan_out = layer.layout === "in_out";
    layer.updateLayer(adapterName, config.init_ia3_weights);
    if (layer !== existing) {
      model.replaceModule(path, layer);
    }
  }
}

/** The IA3 method as the registry holds it (src/peft/registry.ts lists it). */
export const IA3_METHOD: PeftMethod<IA3Config> = {
  peft_type: "IA3",
  name: "ia3",
  summary: "(IA)³: learned vectors rescale frozen layers' activations",
  prefix: "ia3_",
  readConfig: readIA3Config,
  inject: (m, c, a) => injectIA3(m, c, a),
};
