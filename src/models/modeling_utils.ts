/**
 * PreTrainedModel: what every model family shares — construction from a config,
 * fromPretrained (config.json + safetensors, local folder or hub id), savePretrained,
 * the report of missing / unexpected / newly initialised weights, tied weights, and
 * gradient checkpointing.
 */
import * as fs from "node:fs";
import { type DType, Tensor, tensor, parseDtype } from "../tensor/index.js";
import { Module, Linear, withDeferredInit, materializeDeferred } from "../nn/index.js";
import { type BitsAndBytesConfigInput, parseQuantizationConfig } from "../quant/config.js";
import { loadQuantizedCheckpoint } from "./quantized_loading.js";
import { resolvePretrained, type ResolveOptions } from "../io/hub.js";
import { forEachCheckpointTensor, writeShardedSafetensors } from "../io/model_weights.js";
import { rawToTensor, tensorToRaw } from "../io/tensors.js";
import { parseByteSize } from "../io/model_weights.js";
import { type ConfigDict, PretrainedConfig } from "./configuration_utils.js";

export type IdsLike = Tensor | number[] | number[][];

export interface ModelInputs {
  input_ids?: IdsLike;
  attention_mask?: IdsLike;
  token_type_ids?: IdsLike;
  position_ids?: IdsLike;
  /** Class ids (B), float targets (B, num_labels) for regression/multi-label, or token labels (B, T). */
  labels?: IdsLike;
  inputs_embeds?: Tensor;
  decoder_input_ids?: IdsLike;
  decoder_attention_mask?: IdsLike;
  start_positions?: IdsLike;
  end_positions?: IdsLike;
  /** Per layer [key, value] prepended to attention (prefix tuning, KV cache). */
  past_key_values?: [Tensor, Tensor][];
}

export interface ModelOutput {
  loss?: Tensor;
  logits: Tensor;
  last_hidden_state?: Tensor;
  pooler_output?: Tensor;
  start_logits?: Tensor;
  end_logits?: Tensor;
  encoder_last_hidden_state?: Tensor;
}

export interface FromPretrainedOptions extends ResolveOptions {
  /** Config overrides: num_labels, id2label, label2id, problem_type, any config key. */
  config?: ConfigDict;
  /** Keep bf16/fp16 checkpoint weights in that dtype (frozen base) instead of float32. */
  torch_dtype?: DType | string | "auto";
  /** Don't print the report of missing / newly initialised weights. */
  quiet?: boolean;
  /**
   * Transformers' BitsAndBytesConfig keys (`load_in_4bit`, `bnb_4bit_quant_type`, ...): linear
   * layers are quantized to 4 bits while loading. A checkpoint saved in 4 bits (its config.json
   * has quantization_config) loads as 4-bit without this option.
   */
  quantization_config?: BitsAndBytesConfigInput;
}

export interface LoadReport {
  missingKeys: string[];
  unexpectedKeys: string[];
  newlyInitialized: string[];
}

/** Converts ids given as arrays or tensors to an int32 tensor. */
export function toIds(x: IdsLike, name = "input_ids"): Tensor {
  if (x instanceof Tensor) {
    if (x.dtype === "int32") return x;
    if (x.dtype === "float32" || x.dtype === "uint8") return x.to("int32");
    throw new TypeError(`[model] ${name} must hold integers, got ${x.dtype}`);
  }
  if (!Array.isArray(x)) throw new TypeError(`[model] ${name} must be a Tensor or an array of integers`);
  return tensor(x as number[][], { dtype: "int32" });
}

/** Converts float inputs (masks, regression labels) to float32. */
export function toFloat(x: IdsLike): Tensor {
  if (x instanceof Tensor) return x.dtype === "float32" ? x : x.to("float32");
  return tensor(x as number[][]);
}

type ModelClass<M extends PreTrainedModel> = {
  // never: each family's constructor takes its own config subclass, which configClass builds.
  new (config: never): M;
  configClass: typeof PretrainedConfig;
  baseModelPrefix: string;
  name: string;
};

/** What a model's head computes: the Auto class it belongs to (AutoModelForCausalLM: "causal-lm"). */
export type TaskKind =
  | "base"
  | "sequence-classification"
  | "token-classification"
  | "causal-lm"
  | "masked-lm"
  | "seq2seq-lm"
  | "question-answering";

export class PreTrainedModel extends Module {
  /**
   * The Transformers class name written to config.json's `architectures`; declared by each
   * class (constructor.name does not survive a bundler or minifier). A subclass that declares
   * none saves as its nearest declared ancestor.
   */
  static readonly architecture: string | null = null;
  /** What the model's head computes; a PEFT wrapper forwards it, the Trainer reads it (causal LMs shift labels). */
  static readonly taskKind: TaskKind = "base";
  /** The config class this model reads (set by each family). */
  static configClass: typeof PretrainedConfig = PretrainedConfig;
  /** Prefix of the base model inside task heads ("bert", "transformer", "model"). */
  static baseModelPrefix = "";
  /** Checkpoint keys that may be absent without a warning (tied heads, buffers). */
  static ignoreMissing: RegExp[] = [];
  /** Checkpoint keys that are dropped silently (HF's _keys_to_ignore_on_load_unexpected: a pooler a head has no use for). */
  static ignoreUnexpected: RegExp[] = [];
  /** Whether forward takes a KVCache as past_key_values (extended in place); generation then uses one. */
  static readonly acceptsKVCache: boolean = false;

  loadReport: LoadReport | null = null;
  // A plain field, not a #private one: Module.clone (PEFT's modules_to_save) copies own properties.
  private checkpointingFlag = false;

  constructor(readonly config: PretrainedConfig) {
    super();
  }

  get taskKind(): TaskKind {
    return (this.constructor as typeof PreTrainedModel).taskKind;
  }

  forward(_inputs: ModelInputs): ModelOutput {
    throw new Error(`[model] ${this.constructor.name} does not implement forward`);
  }

  /** Re-ties shared weights (output embeddings to input embeddings) after loading. */
  tieWeights(): void {}

  /**
   * Recompute each layer in backward instead of keeping its activations (training mode only).
   * Setting it reaches every module inside that holds the flag (nested models, encoder
   * stacks), as transformers' gradient_checkpointing_enable does, so a head model and its
   * base model never disagree and no forward needs an extra argument.
   */
  get gradientCheckpointing(): boolean {
    return this.checkpointingFlag;
  }

  set gradientCheckpointing(on: boolean) {
    for (const [, m] of this.namedModules()) {
      if (m instanceof PreTrainedModel) m.checkpointingFlag = on;
      else if (isCheckpointable(m)) m.gradientCheckpointing = on;
    }
  }

  gradientCheckpointingEnable(): void {
    this.gradientCheckpointing = true;
  }

  gradientCheckpointingDisable(): void {
    this.gradientCheckpointing = false;
  }

  static async fromPretrained<M extends PreTrainedModel>(this: ModelClass<M>, nameOrPath: string, opts: FromPretrainedOptions = {}): Promise<M> {
    const dir = await resolvePretrained(nameOrPath, opts);
    const config = this.configClass.fromFile(dir, opts.quantization_config ? { quantization_config: opts.quantization_config } : {});
    config._name_or_path = nameOrPath;
    if (opts.config) config.update(opts.config);
    const keep16 = opts.torch_dtype !== undefined && opts.torch_dtype !== "float32" && opts.torch_dtype !== "float";
    const qc = parseQuantizationConfig(opts.quantization_config ?? config.quantization_config);
    if (qc) {
      const model = withDeferredInit(() => new (this as unknown as new (c: PretrainedConfig) => M)(config));
      loadQuantizedCheckpoint(model, dir, qc, nameOrPath, { quiet: opts.quiet, keep16bit: keep16 });
      model.eval();
      return model;
    }
    // One copy: the model's weights take no memory until read, and the checkpoint is read one
    // tensor at a time straight into the tensors that become the parameters.
    const model = withDeferredInit(() => new (this as unknown as new (c: PretrainedConfig) => M)(config));
    const tensors = new Map<string, Tensor>();
    forEachCheckpointTensor(dir, (k, r) => tensors.set(k, rawToTensor(r, k, { keep16bit: keep16 })));
    if (keep16 && opts.torch_dtype !== "auto") {
      const want = parseDtype(opts.torch_dtype as string);
      for (const [k, t] of tensors) if (t.dtype !== want && t.dtype !== "int32" && t.dtype !== "uint8") tensors.set(k, t.to(want));
    }
    model.loadPretrainedTensors(tensors, nameOrPath, true);
    materializeDeferred(model); // what the checkpoint lacked (a new head) is drawn as init would
    if (!opts.quiet) model.printLoadReport(nameOrPath);
    model.eval();
    return model;
  }

  /**
   * Loads checkpoint tensors by name, accepting a base checkpoint for a head model (keys
   * without the base prefix) and a head checkpoint for a base model (prefix stripped).
   */
  loadPretrainedTensors(tensors: Map<string, Tensor>, source: string, quiet = false): LoadReport {
    const cls = this.constructor as typeof PreTrainedModel;
    const toModelKey = this.checkpointKeyMapper([...tensors.keys()]);
    const renamed = new Map<string, Tensor>();
    for (const [k, t] of tensors) renamed.set(toModelKey(k), t);
    // Only matmul weights may stay 16-bit: embeddings and norms need float32 tables.
    const low = this.lowPrecisionKeys();
    for (const [k, t] of renamed) {
      if ((t.dtype === "bfloat16" || t.dtype === "float16") && !low.has(k)) {
        renamed.set(k, t.to("float32"));
        t.dispose();
      }
    }
    refuseIntegerWeights(this.stateDict(), renamed, source);
    const loaded = this.loadStateDict(renamed, { keepDtype: true });
    const missingKeys = loaded.missingKeys;
    const unexpectedKeys = loaded.unexpectedKeys.filter((k) => !cls.ignoreUnexpected.some((re) => re.test(k)));
    this.tieWeights();
    const tiedOrIgnored = (k: string) => cls.ignoreMissing.some((re) => re.test(k));
    const newlyInitialized = missingKeys.filter((k) => !tiedOrIgnored(k));
    this.loadReport = { missingKeys, unexpectedKeys, newlyInitialized };
    if (!quiet) this.printLoadReport(source);
    return this.loadReport;
  }

  /**
   * Maps checkpoint keys to this model's keys: a base checkpoint for a head model gains the
   * base prefix, a head checkpoint for a base model loses it. `ckptKeys` are all the keys.
   */
  checkpointKeyMapper(ckptKeys: string[]): (key: string) => string {
    const prefix = (this.constructor as typeof PreTrainedModel).baseModelPrefix;
    if (!prefix) return (k) => k;
    const own = new Set(this.stateDict().keys());
    const hasPrefixed = [...own].some((k) => k.startsWith(prefix + "."));
    const ckptPrefixed = ckptKeys.some((k) => k.startsWith(prefix + "."));
    return (k) => {
      if (hasPrefixed && !ckptPrefixed && !own.has(k)) return `${prefix}.${k}`;
      if (!hasPrefixed && ckptPrefixed && k.startsWith(prefix + ".")) return k.slice(prefix.length + 1);
      return k;
    };
  }

  /** Prints Transformers' warnings for unused and newly initialised weights. */
  printLoadReport(source: string): void {
    const report = this.loadReport;
    if (!report) return;
    const { unexpectedKeys, newlyInitialized } = report;
    {
      if (unexpectedKeys.length) {
        console.warn(`Some weights of the model checkpoint at ${source} were not used when initializing ${this.constructor.name}: [${keyList(unexpectedKeys)}]`);
      }
      if (newlyInitialized.length) {
        console.warn(
          `Some weights of ${this.constructor.name} were not initialized from the model checkpoint at ${source} and are newly initialized: [${keyList(newlyInitialized)}]\n` +
            "You should probably TRAIN this model on a down-stream task to be able to use it for predictions and inference.",
        );
      }
    }
  }

  /**
   * Keys whose parameter may hold bfloat16/float16 values (frozen weights of Linear layers, or
   * of modules whose class sets `static accepts16bitWeight = true`); the rest load as float32.
   */
  lowPrecisionKeys(): Set<string> {
    const out = new Set<string>();
    for (const [path, m] of this.namedModules()) {
      const ctor = m.constructor as { accepts16bitWeight?: boolean };
      if (m instanceof Linear || ctor.accepts16bitWeight) out.add(path ? `${path}.weight` : "weight");
    }
    return out;
  }

  /** The state dict to save: tied duplicates (e.g. lm_head.weight = embeddings) are saved once. */
  stateDictForSave(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    const seen = new Set<Tensor>();
    for (const [k, t] of this.stateDict()) {
      if (seen.has(t)) continue;
      seen.add(t);
      out.set(k, t);
    }
    return out;
  }

  /**
   * Writes config.json and model.safetensors (sharded past max_shard_size) so that both
   * tunelab and Python transformers load the folder back.
   */
  savePretrained(dir: string, opts: { max_shard_size?: number | string } = {}): void {
    fs.mkdirSync(dir, { recursive: true });
    const cfg = this.config;
    const architecture = (this.constructor as typeof PreTrainedModel).architecture;
    if (architecture) cfg.architectures = [architecture];
    const dtypes = new Set([...this.stateDict().values()].map((t) => t.dtype));
    cfg.torch_dtype = dtypes.has("bfloat16") ? "bfloat16" : dtypes.has("float16") ? "float16" : "float32";
    const raw = new Map([...this.stateDictForSave()].map(([k, t]) => [k, tensorToRaw(t)]));
    // Quantized layers hold codes in uint8 buffers that bitsandbytes saves as another dtype (I8, quant_storage).
    for (const [path, m] of this.namedModules()) {
      const views = (m as { serializedViews?: () => Map<string, { dtype: string; shape: number[] }> }).serializedViews?.();
      for (const [name, v] of views ?? []) {
        const r = raw.get(path ? `${path}.${name}` : name);
        if (r) Object.assign(r, v);
      }
    }
    writeShardedSafetensors(dir, raw, parseByteSize(opts.max_shard_size ?? "5GB"));
    cfg.save(dir);
  }
}

/** A module that runs its layers under gradient checkpointing when its flag is on (an encoder stack). */
export interface Checkpointable {
  gradientCheckpointing: boolean;
}

function isCheckpointable(m: Module): m is Module & Checkpointable {
  return typeof (m as Partial<Checkpointable>).gradientCheckpointing === "boolean";
}

/** A key list for a warning: the first 50, then a count (a hostile checkpoint can hold 100,000s). */
function keyList(keys: string[]): string {
  return keys.length <= 50 ? keys.join(", ") : `${keys.slice(0, 50).join(", ")}, ... and ${keys.length - 50} more`;
}

/**
 * An integer tensor (I8..I64 in the file) would load into a float parameter and fail only at
 * the first forward pass; refuse it at load, naming the key.
 */
function refuseIntegerWeights(own: Map<string, Tensor>, tensors: Map<string, Tensor>, source: string): void {
  for (const [key, t] of tensors) {
    const current = own.get(key);
    if (t.dtype === "int32" && current && current.dtype !== "int32" && current.dtype !== "uint8") {
      throw new Error(
        `[load] ${source}: weight "${key}" holds integers (an I8/I16/I32/I64 tensor) but the model's parameter is ${current.dtype}; ` +
          "this checkpoint is quantized or corrupt — load the float checkpoint, or convert the tensor with tensor.float() before saving",
      );
    }
  }
}
