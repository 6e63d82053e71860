/**
 * PeftModel (peft_model.py): a base model plus named adapters. Layer methods (LoRA, IA3,
 * bottleneck adapters, BitFit) live inside the base model under `base_model.model.<path>`;
 * prompt-learning methods keep their encoder under `prompt_encoder.<adapter>` and rewrite the
 * inputs (`base_model` is then the model itself), so parameter paths — and the saved keys derived
 * from them — are PEFT's. Only the active adapter (and its modules_to_save) trains; everything of
 * the base stays frozen and bit-identical.
 */
import { QuantizedLinear } from "../quant/quantized_linear.js";
import * as path from "node:path";
import type { Tensor } from "../tensor/index.js";
import { Module, Linear, listKeys } from "../nn/index.js";
import type { PreTrainedModel, ModelInputs, ModelOutput, TaskKind } from "../models/modeling_utils.js";
import { toSourceLayer } from "../models/dequantize.js";
import { type PeftConfig, type InjectOptions, PeftConfigError } from "./config.js";
import { type PeftMethod, peftMethods, parsePeftConfig } from "./registry.js";
import { ModuleDict, ModulesToSaveWrapper, type Forwardable } from "./modules_to_save.js";
import { walkModules, isTunerLayer, matchesModuleList, SEQ_CLS_HEAD_NAMES } from "./targets.js";
import * as fs from "node:fs";
import { loadTensors, saveTensors } from "../io/tensors.js";
import {
  PROMPT_ENCODER_STATE_NAME, fileKeyOf, isAdapterKey, isModulesToSaveKey, readAdapterConfig, readAdapterWeights, writeAdapter, copyIntoTargets,
} from "./save_and_load.js";

/** What PeftModel drives on every wrapper layer, whatever the method. */
interface AdapterLayer extends Module {
  readonly isTunerLayer: true;
  readonly baseLayer: Module;
  disabled: boolean;
  setAdapter(names: string[], trainable: boolean): void;
  deleteAdapter(name: string): void;
  merge?(names?: string[]): void;
  unmerge?(): void;
}

/** PEFT's LoraModel/IA3Model: holds the wrapped model under `model`. */
export class TunerModel extends Module {
  readonly model: PreTrainedModel;
  constructor(model: PreTrainedModel) {
    super();
    this.model = this.addModule("model", model);
  }
  forward(inputs: ModelInputs): ModelOutput {
    return this.model.forward(inputs);
  }
}

/** Task heads trained fully with any method (PeftModelForSequenceClassification etc. add them). */
const TASK_HEADS: Partial<Record<string, string[]>> = { SEQ_CLS: SEQ_CLS_HEAD_NAMES, TOKEN_CLS: SEQ_CLS_HEAD_NAMES, QUESTION_ANS: ["qa_outputs"] };

export interface PeftModelOptions extends InjectOptions {
  adapter_name?: string;
}

export class PeftModel extends Module {
  readonly base_model: Module;
  /** The transformers model the adapters sit in. */
  readonly model: PreTrainedModel;
  readonly prompt_encoder: ModuleDict | null;
  readonly peftConfig = new Map<string, PeftConfig>();
  readonly isPromptLearning: boolean;
  activeAdapter: string;
  private promptDisabled = false;

  constructor(model: PreTrainedModel, config: PeftConfig, opts: PeftModelOptions = {}) {
    super();
    const name = opts.adapter_name ?? "default";
    this.model = model;
    this.isPromptLearning = peftMethods.get(config.peft_type).prompt !== undefined;
    this.base_model = this.addModule("base_model", this.isPromptLearning ? model : new TunerModel(model));
    this.prompt_encoder = this.isPromptLearning ? this.addModule("prompt_encoder", new ModuleDict()) : null;
    this.activeAdapter = name;
    this.addAdapter(name, config, opts);
  }

  /** The base model's declared task kind: a PEFT-wrapped causal LM is still a causal LM. */
  get taskKind(): TaskKind {
    return this.model.taskKind;
  }

  /** The transformers config of the base model (the Trainer reads it). */
  get config(): PreTrainedModel["config"] {
    return this.model.config;
  }

  get activeConfig(): PeftConfig {
    return this.peftConfig.get(this.activeAdapter)!;
  }

  /** Adds adapter `name` (frozen unless its config's inference_mode is false, as PEFT does); the active adapter is unchanged. */
  addAdapter(name: string, config: PeftConfig, opts: InjectOptions = {}): void {
    if (this.peftConfig.has(name)) throw new PeftConfigError(`[peft] an adapter named "${name}" already exists; adapters: ${[...this.peftConfig.keys()].join(", ")}`);
    const method = peftMethods.get(config.peft_type);
    if ((method.prompt !== undefined) !== this.isPromptLearning) {
      throw new PeftConfigError(`[peft] cannot mix prompt-learning and layer adapters in one PeftModel (adding ${config.peft_type} to ${this.activeConfig?.peft_type})`);
    }
    const heads = TASK_HEADS[config.task_type ?? ""];
    if (heads) config.modules_to_save = [...new Set([...(config.modules_to_save ?? []), ...heads])];
    const mc = this.model.config as unknown as Record<string, unknown>;
    config.base_model_name_or_path ??= (mc._name_or_path as string | undefined) ?? (this.model as unknown as { name_or_path?: string }).name_or_path ?? null;
    this.peftConfig.set(name, config);
    try {
      if (method.prompt) this.prompt_encoder!.set(name, method.prompt.createEncoder(this.model, config, opts));
      else method.inject!(this.model, config, name, opts);
      if (config.modules_to_save?.length) this.wrapModulesToSave(config.modules_to_save, name);
    } catch (err) {
      this.peftConfig.delete(name);
      throw err;
    }
    this.setAdapter(this.activeAdapter);
  }

  private wrapModulesToSave(names: string[], adapter: string): void {
    for (const [p, m] of [...walkModules(this.model)]) {
      if (!p || !matchesModuleList(p, names)) continue;
      if (m instanceof ModulesToSaveWrapper) m.addAdapter(adapter);
      else if (!isTunerLayer(m)) {
        this.model.replaceModule(p, new ModulesToSaveWrapper(forwardable(m, p), adapter));
      }
    }
  }

  private *adapterLayers(): Generator<[string, AdapterLayer]> {
    for (const [p, m] of walkModules(this.model)) if (p && isTunerLayer(m)) yield [p, m as unknown as AdapterLayer];
  }

  private method(name = this.activeAdapter): PeftMethod {
    return peftMethods.get(this.peftConfig.get(name)!.peft_type);
  }

  /** Makes `name` the adapter that runs and (unless inference_mode) the only thing that trains. */
  setAdapter(name: string): void {
    const config = this.peftConfig.get(name);
    if (!config) throw new PeftConfigError(`[peft] no adapter "${name}"; adapters: ${[...this.peftConfig.keys()].join(", ")}`);
    this.activeAdapter = name;
    const trainable = !config.inference_mode;
    this.model.requiresGrad(false);
    for (const [, layer] of this.adapterLayers()) layer.setAdapter([name], trainable);
    const extra = new Set((this.method(name).extraSavedParameters?.(this.model, config, name) ?? []));
    if (extra.size) for (const [p, t] of this.model.namedParameters()) if (extra.has(p)) t.requiresGrad = trainable;
    if (this.prompt_encoder) for (const k of this.prompt_encoder.keys()) this.prompt_encoder.get(k)!.requiresGrad(trainable && k === name);
  }

  deleteAdapter(name: string): void {
    if (!this.peftConfig.has(name)) throw new PeftConfigError(`[peft] no adapter "${name}"`);
    for (const [, layer] of this.adapterLayers()) layer.deleteAdapter(name);
    this.prompt_encoder?.delete(name);
    this.peftConfig.delete(name);
    if (this.activeAdapter === name) {
      const next = [...this.peftConfig.keys()][0];
      if (next !== undefined) this.setAdapter(next);
    }
  }

  forward(inputs: ModelInputs): ModelOutput {
    if (this.isPromptLearning && !this.promptDisabled) {
      const config = this.activeConfig;
      inputs = this.method().prompt!.prepareInputs(this.model, this.prompt_encoder!.get(this.activeAdapter)!, config, inputs);
    }
    return this.model.forward(inputs);
  }

  /** [trainable, all] parameter counts as PEFT's get_nb_trainable_parameters (tied tensors once; 4-bit packed bytes ×2). */
  getNbTrainableParameters(): [number, number] {
    let trainable = 0;
    let all = 0;
    for (const [, t] of this.namedParameters()) {
      const n = t.dtype === "uint8" ? t.numel * 2 : t.numel;
      all += n;
      if (t.requiresGrad) trainable += n;
    }
    return [trainable, all];
  }

  /** Prints (and returns) PEFT's line: `trainable params: 1,234 || all params: 5,678 || trainable%: 21.7321`. */
  printTrainableParameters(): string {
    const [trainable, all] = this.getNbTrainableParameters();
    const fmt = (n: number) => n.toLocaleString("en-US");
    const line = `trainable params: ${fmt(trainable)} || all params: ${fmt(all)} || trainable%: ${(all ? (100 * trainable) / all : 0).toFixed(4)}`;
    console.log(line);
    return line;
  }

  /** Runs fn with every adapter off (the base model's behaviour), then turns them back on. */
  disableAdapter<T>(fn: () => T): T {
    if (this.activeConfig.peft_type === "BITFIT") {
      throw new PeftConfigError("[peft] BitFit trains the base model's own biases, so it cannot be disabled; run the base checkpoint instead");
    }
    if (this.activeConfig.bias === "all" || this.activeConfig.bias === "lora_only") {
      console.warn("[peft] disabling adapter layers with bias 'all' or 'lora_only' does not give the base model's output: the trained biases stay");
    }
    const layers = [...this.adapterLayers()].map(([, l]) => l);
    const set = (v: boolean) => {
      for (const l of layers) l.disabled = v;
      this.promptDisabled = v;
    };
    set(true);
    let result: T;
    try {
      result = fn();
    } catch (err) {
      set(false);
      throw err;
    }
    if (result && typeof (result as { then?: unknown }).then === "function") {
      return (result as unknown as Promise<unknown>).finally(() => set(false)) as T;
    }
    set(false);
    return result;
  }

  private mergeableLayers(what: string): AdapterLayer[] {
    if (this.isPromptLearning) throw new PeftConfigError(`[peft] ${this.activeConfig.peft_type} changes the inputs, not the weights: there is nothing to ${what}`);
    const layers = [...this.adapterLayers()].map(([, l]) => l);
    const bad = layers.find((l) => !(l instanceof ModulesToSaveWrapper) && !l.merge);
    if (bad) throw new PeftConfigError(`[peft] ${bad.constructor.name} is non-linear and cannot be merged into the base weights; save the adapter instead`);
    return layers;
  }

  /** Folds the active adapter into the base weights (the wrappers stay; `unmerge()` undoes it). */
  merge(): void {
    for (const l of this.mergeableLayers("merge")) l.merge?.([this.activeAdapter]);
  }

  unmerge(): void {
    for (const l of this.mergeableLayers("unmerge")) l.unmerge?.();
  }

  /**
   * Merges the active adapter, removes every wrapper and returns the plain transformers model,
   * whose savePretrained writes an ordinary checkpoint (trained modules_to_save copies kept).
   */
  mergeAndUnload(opts: { dequantize?: "float32" | "bfloat16" } = {}): PreTrainedModel {
    // A 4-bit base merges by re-quantizing (PEFT's way) unless `dequantize` asks for a full-
    // precision model: then every 4-bit layer is dequantized first and the merge is exact.
    // The adapters merge into (out, in) float Linears (their layout was fixed when they wrapped
    // the quantized layer); layers that replaced a Conv1D turn back into one after the merge.
    const fromInOut = new Set<Linear>();
    if (opts.dequantize) {
      for (const [p, m] of [...this.model.namedModules()]) {
        if (!(m instanceof QuantizedLinear)) continue;
        const lin = m.toLinear("float32");
        if (m.sourceLayout === "in_out") fromInOut.add(lin);
        this.model.replaceModule(p, lin);
      }
      delete this.model.config.quantization_config;
    }
    const model = this.unloadLayers(true);
    for (const [p, m] of [...model.namedModules()]) {
      if (!(m instanceof Linear)) continue;
      if (opts.dequantize === "bfloat16") m.setParameter("weight", m.weight.to("bfloat16"));
      if (fromInOut.has(m)) model.replaceModule(p, toSourceLayer(m, "in_out"));
    }
    return model;
  }

  /** Removes the adapters without merging: the base model as it was. */
  unload(): PreTrainedModel {
    return this.unloadLayers(false);
  }

  private unloadLayers(merge: boolean): PreTrainedModel {
    this.mergeableLayers(merge ? "merge" : "unload"); // refuses prompt learning and non-linear adapters up front
    for (const [p, layer] of [...this.adapterLayers()]) {
      let replacement: Module;
      if (layer instanceof ModulesToSaveWrapper) {
        replacement = merge ? layer.active : layer.original_module;
      } else {
        if (merge) layer.merge!([this.activeAdapter]);
        else layer.unmerge?.();
        replacement = layer.baseLayer;
      }
      this.model.replaceModule(p, replacement);
    }
    return this.model;
  }

  /** Adapter tensors under PEFT's file keys. */
  adapterStateDict(name = this.activeAdapter): Map<string, Tensor> {
    const config = this.peftConfig.get(name);
    if (!config) throw new PeftConfigError(`[peft] no adapter "${name}"`);
    const method = peftMethods.get(config.peft_type);
    const out = new Map<string, Tensor>();
    if (method.prompt) out.set("prompt_embeddings", method.prompt.embeddingsToSave(this.prompt_encoder!.get(name)!, config));
    const basePrefix = this.isPromptLearning ? "base_model." : "base_model.model.";
    const extra = new Set((method.extraSavedParameters?.(this.model, config, name) ?? []).map((p) => basePrefix + p));
    for (const [key, t] of this.stateDict()) {
      if (key.startsWith("prompt_encoder.")) continue;
      if (isAdapterKey(key, name, method.prefix) || isModulesToSaveKey(key, name) || extra.has(key)) out.set(fileKeyOf(key, name), t);
    }
    return out;
  }

  /**
   * Writes adapter_config.json and adapter_model.safetensors (PEFT's names): the "default"
   * adapter in `dir`, any other adapter in `dir/<name>`, as PEFT's save_pretrained does.
   */
  savePretrained(dir: string, opts: { selected_adapters?: string[] } = {}): void {
    for (const name of opts.selected_adapters ?? [...this.peftConfig.keys()]) {
      const target = name === "default" ? dir : path.join(dir, name);
      writeAdapter(target, this.peftConfig.get(name)!, this.adapterStateDict(name));
      const state = this.isPromptLearning ? this.method(name).prompt!.trainingState?.(this.prompt_encoder!.get(name)!) : null;
      if (state) saveTensors(path.join(target, PROMPT_ENCODER_STATE_NAME), state);
    }
  }

  /** Loads an adapter folder (PEFT's or tunelab's) as adapter `name`; frozen unless is_trainable. */
  loadAdapter(dir: string, name: string, opts: { is_trainable?: boolean } & InjectOptions = {}): void {
    const config = parsePeftConfig(readAdapterConfig(dir));
    config.inference_mode = !opts.is_trainable;
    this.addAdapter(name, config, { ...opts, fromSaved: true });
    this.loadAdapterWeights(dir, name);
    this.setAdapter(this.activeAdapter);
  }

  /**
   * Copies the weights saved in `dir` into adapter `name`'s existing tensors (same objects, so
   * an optimizer holding them keeps working: the Trainer's resume path).
   */
  loadAdapterWeights(dir: string, name = this.activeAdapter): void {
    const config = this.peftConfig.get(name)!;
    const method = peftMethods.get(config.peft_type);
    const weights = readAdapterWeights(dir);
    if (method.prompt) {
      const t = weights.get("prompt_embeddings");
      if (!t) throw new PeftConfigError(`[peft] ${dir}: no "prompt_embeddings" tensor; keys: ${listKeys([...weights.keys()])}`);
      const encoder = this.prompt_encoder!.get(name)!;
      const state = method.prompt.trainingState?.(encoder);
      const stateFile = path.join(dir, PROMPT_ENCODER_STATE_NAME);
      // An encoder with more state than the prompt (a projection MLP) resumes from the sidecar tunelab wrote.
      if (state && fs.existsSync(stateFile)) copyIntoTargets(loadTensors(stateFile), state, stateFile);
      else method.prompt.loadEmbeddings(encoder, config, t);
      weights.delete("prompt_embeddings");
    }
    const targets = this.adapterStateDict(name);
    targets.delete("prompt_embeddings");
    copyIntoTargets(weights, targets, dir);
  }

  /** PEFT's PeftModel.from_pretrained: wraps `model` with the adapter saved in `dir`. */
  static fromPretrained(model: PreTrainedModel, dir: string, opts: { is_trainable?: boolean } & PeftModelOptions = {}): PeftModel {
    const name = opts.adapter_name ?? "default";
    const config = parsePeftConfig(readAdapterConfig(dir));
    config.inference_mode = !opts.is_trainable;
    const pm = new PeftModel(model, config, { ...opts, adapter_name: name, fromSaved: true });
    pm.loadAdapterWeights(dir, name);
    pm.setAdapter(name);
    if (!opts.is_trainable) pm.eval();
    return pm;
  }

  gradientCheckpointingEnable(): void {
    this.model.gradientCheckpointingEnable();
  }
}

/** PEFT's get_peft_model: wraps `model` with a new adapter (a config of PEFT's keys, parsed or plain). */
export function getPeftModel(model: PreTrainedModel, config: PeftConfig | Record<string, unknown>, opts: PeftModelOptions = {}): PeftModel {
  return new PeftModel(model, parsePeftConfig(config as Record<string, unknown>), opts);
}

/** m, which modules_to_save wraps: a wrapper stands in for its forward, so it needs one. */
function forwardable(m: Module, path: string): Forwardable {
  if (typeof (m as { forward?: unknown }).forward !== "function") {
    throw new PeftConfigError(`[peft] modules_to_save: "${path}" (${m.constructor.name}) has no forward to stand in for`);
  }
  return m as Forwardable;
}
