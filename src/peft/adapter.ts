/**
 * Bottleneck adapters (Houlsby et al. 2019; Pfeiffer et al. 2020), which PEFT lacks: a small
 * down-project → non-linearity → up-project block added residually to the output of a sublayer's
 * output projection, before that sublayer's own residual connection and norm:
 *
 *   h = proj(x);  h' = h + adapter_up(act(adapter_down(dropout(h))))
 *
 * "houlsby" puts one after the attention output projection and one after the feed-forward output
 * projection; "pfeiffer" only after the feed-forward one. adapter_up starts at zero, so the model
 * starts as the base. Parameters: `adapter_down.<adapter>.{weight,bias}` (bottleneck, hidden),
 * `adapter_up.<adapter>.{weight,bias}` (hidden, bottleneck). File format: docs/peft-formats.md.
 */
import { type Tensor, add, noGrad, zeros } from "../tensor/index.js";
import { Module, Linear, Dropout, getActivation, type LinearLike } from "../nn/index.js";
import type { PreTrainedModel } from "../models/modeling_utils.js";
import { type PeftConfig, type ConfigReader, PeftConfigError, parseOrThrow } from "./config.js";
import type { PeftMethod } from "./registry.js";
import { ModuleDict } from "./modules_to_save.js";
import { type TunerLayerLike, linearDims, resolveTargets, weightLayoutOf, isTunerLayer } from "./targets.js";

export interface BottleneckAdapterConfig extends PeftConfig {
  peft_type: "BOTTLENECK_ADAPTER";
  adapter_type: "houlsby" | "pfeiffer";
  bottleneck_size: number;
  non_linearity: string;
  adapter_dropout: number;
  /** Attention output projections (Houlsby only); null: the model_type default. */
  attn_output_modules: string[] | string | null;
  /** Feed-forward output projections; null: the model_type default. */
  ffn_output_modules: string[] | string | null;
}

/** Default placements per model_type: a list matches by dotted suffix, a string is a full-match regex. */
export const ADAPTER_PLACEMENTS: Record<string, { attn: string[] | string; ffn: string[] | string }> = {
  bert: { attn: ["attention.output.dense"], ffn: String.raw`.*\.layer\.\d+\.output\.dense` },
  roberta: { attn: ["attention.output.dense"], ffn: String.raw`.*\.layer\.\d+\.output\.dense` },
  distilbert: { attn: ["attention.out_lin"], ffn: ["ffn.lin2"] },
  gpt2: { attn: ["attn.c_proj"], ffn: ["mlp.c_proj"] },
  llama: { attn: ["self_attn.o_proj"], ffn: ["mlp.down_proj"] },
  mistral: { attn: ["self_attn.o_proj"], ffn: ["mlp.down_proj"] },
  qwen2: { attn: ["self_attn.o_proj"], ffn: ["mlp.down_proj"] },
};

/** Reads a bottleneck adapter config, noting every problem on the reader. */
export function readBottleneckAdapterConfig(r: ConfigReader): BottleneckAdapterConfig {
  const dict = r.dict;
  const base = r.base("BOTTLENECK_ADAPTER", ["adapter_type", "bottleneck_size", "non_linearity", "adapter_dropout", "attn_output_modules", "ffn_output_modules"]);
  let nonLinearity = r.string("non_linearity") ?? "relu";
  try {
    getActivation(nonLinearity);
  } catch (err) {
    r.problem(`[peft] non_linearity: ${(err as Error).message.replace(/^\[activation\] /, "")}`);
    nonLinearity = "relu";
  }
  return {
    ...base,
    peft_type: "BOTTLENECK_ADAPTER",
    adapter_type: r.oneOf("adapter_type", ["houlsby", "pfeiffer"] as const, "houlsby"),
    bottleneck_size: r.number("bottleneck_size", 64, (x) => Number.isInteger(x) && x > 0, "a positive integer"),
    non_linearity: nonLinearity,
    adapter_dropout: r.number("adapter_dropout", 0, (x) => x >= 0 && x < 1, "in [0, 1)"),
    attn_output_modules: r.targets("attn_output_modules"),
    ffn_output_modules: r.targets("ffn_output_modules"),
  };
}


export class BottleneckAdapterLayer extends Module implements TunerLayerLike {
  readonly isTunerLayer = true as const;
  readonly base_layer: LinearLike;
  readonly adapter_down: ModuleDict<Linear>;
  readonly adapter_up: ModuleDict<Linear>;
  readonly adapter_dropout: ModuleDict<Dropout>;
  readonly hidden: number;
  readonly activation = new Map<string, (x: Tensor) => Tensor>();
  activeAdapters: string[] = [];
  disabled = false;

  constructor(base: Module) {
    super();
    const dims = linearDims(base);
    this.hidden = dims.outFeatures;
    this.base_layer = this.addModule("base_layer", dims.layer);
    this.adapter_down = this.addModule("adapter_down", new ModuleDict<Linear>());
    this.adapter_up = this.addModule("adapter_up", new ModuleDict<Linear>());
    this.adapter_dropout = this.addModule("adapter_dropout", new ModuleDict<Dropout>());
    base.requiresGrad(false);
  }

  get baseLayer(): Module {
    return this.base_layer;
  }

  updateLayer(name: string, c: BottleneckAdapterConfig): void {
    const down = new Linear(this.hidden, c.bottleneck_size);
    const up = new Linear(c.bottleneck_size, this.hidden);
    noGrad(() => {
      up.setParameter("weight", zeros([this.hidden, c.bottleneck_size]));
      up.setParameter("bias", zeros([this.hidden]));
    });
    this.adapter_down.set(name, down);
    this.adapter_up.set(name, up);
    this.adapter_dropout.set(name, new Dropout(c.adapter_dropout));
    this.activation.set(name, getActivation(c.non_linearity));
    if (this.activeAdapters.length === 0) this.activeAdapters = [name];
  }

  setAdapter(names: string[], trainable: boolean): void {
    this.activeAdapters = names.filter((n) => this.adapter_down.has(n));
    for (const n of this.adapter_down.keys()) {
      const on = trainable && this.activeAdapters.includes(n);
      this.adapter_down.get(n)!.requiresGrad(on);
      this.adapter_up.get(n)!.requiresGrad(on);
    }
  }

  deleteAdapter(name: string): void {
    for (const d of [this.adapter_down, this.adapter_up, this.adapter_dropout] as ModuleDict[]) d.delete(name);
    this.activation.delete(name);
    this.activeAdapters = this.activeAdapters.filter((n) => n !== name);
  }

  forward(x: Tensor): Tensor {
    let h = this.base_layer.forward(x);
    if (this.disabled) return h;
    for (const n of this.activeAdapters) {
      const inner = this.activation.get(n)!(this.adapter_down.get(n)!.forward(this.adapter_dropout.get(n)!.forward(h)));
      h = add(h, this.adapter_up.get(n)!.forward(inner));
    }
    return h;
  }
}

export function injectBottleneckAdapter(model: PreTrainedModel, config: BottleneckAdapterConfig, adapterName: string): void {
  const modelType = String(model.config.model_type);
  const placement = ADAPTER_PLACEMENTS[modelType];
  if ((config.ffn_output_modules === null || (config.adapter_type === "houlsby" && config.attn_output_modules === null)) && !placement) {
    throw new PeftConfigError(`[peft] bottleneck adapters: no default placement for model_type "${modelType}"; set ffn_output_modules (and attn_output_modules for houlsby)`);
  }
  config.ffn_output_modules ??= placement.ffn;
  if (config.adapter_type === "houlsby") config.attn_output_modules ??= placement.attn;
  const groups = config.adapter_type === "houlsby" ? [config.attn_output_modules!, config.ffn_output_modules] : [config.ffn_output_modules];
  const accept = (m: Module) => (m instanceof BottleneckAdapterLayer ? true : !isTunerLayer(m) && weightLayoutOf(m) !== null);
  const paths = groups.flatMap((targets) => resolveTargets(model, { target_modules: targets, modules_to_save: config.modules_to_save }, { method: "bottleneck adapter", accept }).paths);
  for (const path of [...new Set(paths)]) {
    const existing = model.getSubmodule(path);
    const layer = existing instanceof BottleneckAdapterLayer ? existing : new BottleneckAdapterLayer(existing);
    layer.updateLayer(adapterName, config);
    if (layer !== existing) {
      model.replaceModule(path, layer);
    }
  }
}

/** The BottleneckAdapter method as the registry holds it (src/peft/registry.ts lists it). */
export const BOTTLENECK_ADAPTER_METHOD: PeftMethod<BottleneckAdapterConfig> = {
  peft_type: "BOTTLENECK_ADAPTER",
  name: "adapter",
  summary: "bottleneck adapters (Houlsby or Pfeiffer) after attention and feed-forward outputs",
  variants: [{ name: "bottleneck_adapter", summary: "the same as adapter" }],
  prefix: "adapter_",
  readConfig: readBottleneckAdapterConfig,
  inject: (m, c, a) => injectBottleneckAdapter(m, c, a),
};
