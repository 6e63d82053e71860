/**
 * LoraLayer: a frozen linear layer (nn.Linear, GPT-2's Conv1D, or any layer with a declared
 * `weightLayout`, e.g. a frozen 4-bit one) plus named low-rank adapters. The only thing it asks
 * of the base is `forward(x)` — and its weight for merging and DoRA — so a quantized base slots in.
 *
 *   y = base(x) + lora_B(lora_A(dropout(x))) · scaling          (two skinny products: (N, r), (N, out))
 *   DoRA: y = base(x) + (m/‖W + s·BA‖ − 1) · x Wᵀ + m/‖W + s·BA‖ · s · B A x
 *
 * Parameter paths are PEFT's: `base_layer.weight`, `lora_A.<adapter>.weight` (r, in),
 * `lora_B.<adapter>.weight` (out, r), `lora_magnitude_vector.<adapter>.weight` (out).
 */
import { type Tensor, linear, loraLinear, add, mul, sub, div, noGrad, matmul, tensor, zeros } from "../../tensor/index.js";
import { Module, Linear, Dropout, normal, uniform, type LinearLike } from "../../nn/index.js";
import { ModuleDict, ParameterHolder } from "../modules_to_save.js";
import { type TunerLayerLike, type WeightLayout, linearDims } from "../targets.js";
import { PeftConfigError } from "../config.js";
import { QuantizedLinear } from "../../quant/quantized_linear.js";
import { type InitLoraWeights, loraScaling } from "./config.js";

export interface LoraAdapterOptions {
  r: number;
  alpha: number;
  dropout: number;
  init: InitLoraWeights;
  useRslora: boolean;
  useDora: boolean;
}


export class LoraLayer extends Module implements TunerLayerLike {
  readonly isTunerLayer = true as const;
  readonly base_layer: LinearLike;
  readonly lora_dropout: ModuleDict<Dropout>;
  readonly lora_A: ModuleDict<Linear>;
  readonly lora_B: ModuleDict<Linear>;
  readonly lora_magnitude_vector: ModuleDict<ParameterHolder>;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly layout: WeightLayout;
  readonly r = new Map<string, number>();
  readonly loraAlpha = new Map<string, number>();
  readonly scaling = new Map<string, number>();
  readonly useDora = new Map<string, boolean>();
  activeAdapters: string[] = [];
  /** Adapters currently folded into the base weight (with the norm DoRA merged with). */
  readonly merged = new Map<string, Float32Array | null>();
  disabled = false;
  private rowSqCache: Float64Array | null = null;

  constructor(base: Module) {
    super();
    const dims = linearDims(base);
    this.inFeatures = dims.inFeatures;
    this.outFeatures = dims.outFeatures;
    this.layout = dims.layout;
    this.base_layer = this.addModule("base_layer", dims.layer);
    this.lora_dropout = this.addModule("lora_dropout", new ModuleDict<Dropout>());
    this.lora_A = this.addModule("lora_A", new ModuleDict<Linear>());
    this.lora_B = this.addModule("lora_B", new ModuleDict<Linear>());
    this.lora_magnitude_vector = this.addModule("lora_magnitude_vector", new ModuleDict<ParameterHolder>());
    base.requiresGrad(false);
  }

  get baseLayer(): Module {
    return this.base_layer;
  }

  /** Adds (or re-creates) adapter `name` (PEFT's update_layer). */
  updateLayer(name: string, o: LoraAdapterOptions): void {
    if (!(Number.isInteger(o.r) && o.r > 0)) throw new PeftConfigError(`[peft] LoRA: r must be a positive integer, got ${o.r}`);
    this.r.set(name, o.r);
    this.loraAlpha.set(name, o.alpha);
    this.scaling.set(name, loraScaling(o.alpha, o.r, o.useRslora));
    this.lora_dropout.set(name, new Dropout(o.dropout));
    const A = new Linear(this.inFeatures, o.r, { bias: false });
    const B = new Linear(o.r, this.outFeatures, { bias: false });
    noGrad(() => {
      if (o.init === true) {
        // kaiming_uniform_(a=sqrt(5)) on (r, in): bound = gain·sqrt(3/fan_in) = 1/sqrt(in).
        A.setParameter("weight", uniform([o.r, this.inFeatures], 1 / Math.sqrt(this.inFeatures)));
        B.setParameter("weight", zeros([this.outFeatures, o.r]));
      } else if (o.init === "gaussian") {
        A.setParameter("weight", normal([o.r, this.inFeatures], 1 / o.r));
        B.setParameter("weight", zeros([this.outFeatures, o.r]));
      }
      // init false: both keep nn.Linear's default init, so the adapter is not a no-op (PEFT's testing mode).
    });
    this.lora_A.set(name, A);
    this.lora_B.set(name, B);
    this.useDora.set(name, o.useDora);
    if (o.useDora) {
      this.lora_magnitude_vector.set(name, new ParameterHolder("weight", tensor(this.weightNorm(name))));
    } else {
      this.lora_magnitude_vector.delete(name);
    }
    if (!this.activeAdapters.includes(name) && this.activeAdapters.length === 0) this.activeAdapters = [name];
  }

  /** Which adapters run, and whether they train. */
  setAdapter(names: string[], trainable: boolean): void {
    this.activeAdapters = names.filter((n) => this.r.has(n));
    for (const n of this.r.keys()) {
      const on = trainable && this.activeAdapters.includes(n);
      this.lora_A.get(n)!.requiresGrad(on);
      this.lora_B.get(n)!.requiresGrad(on);
      this.lora_magnitude_vector.get(n)?.requiresGrad(on);
    }
  }

  deleteAdapter(name: string): void {
    if (this.merged.has(name)) throw new PeftConfigError(`[peft] LoRA: unmerge adapter "${name}" before deleting it`);
    for (const d of [this.lora_A, this.lora_B, this.lora_dropout, this.lora_magnitude_vector] as ModuleDict[]) d.delete(name);
    for (const m of [this.r, this.loraAlpha, this.scaling, this.useDora]) m.delete(name);
    this.activeAdapters = this.activeAdapters.filter((n) => n !== name);
  }

  forward(x: Tensor): Tensor {
    if (this.disabled) {
      if (this.merged.size) this.unmerge();
      return this.base_layer.forward(x);
    }
    const fused = this.fusedForward(x);
    if (fused) return fused;
    let result = this.base_layer.forward(x);
    for (const name of this.activeAdapters) {
      if (this.merged.has(name)) continue;
      const A = this.lora_A.get(name)!;
      const B = this.lora_B.get(name)!;
      const drop = this.lora_dropout.get(name)!;
      const s = this.scaling.get(name)!;
      const xd = drop.forward(x);
      const lora = linear(linear(xd, A.weight), B.weight);
      if (!this.useDora.get(name)) {
        result = add(result, s === 1 ? lora : mul(lora, s));
        continue;
      }
      // DoRA: the norm is detached (paper §4.3) and computed without a dense (out, in) delta.
      const norm = tensor(this.weightNorm(name));
      const magnitude = this.lora_magnitude_vector.get(name)!.param("weight");
      const scale = div(magnitude, norm);
      const bias = (this.base_layer as Module & { bias?: Tensor | null }).bias ?? null;
      const identityDropout = drop.p === 0 || !drop.training;
      const baseNoBias = identityDropout ? (bias ? sub(result, bias) : result) : linear(xd, this.baseWeight(), null, this.layout);
      result = add(result, add(mul(sub(scale, 1), baseNoBias), mul(mul(lora, scale), s)));
    }
    return result;
  }

  /**
   * One active, unmerged, plain (non-DoRA) adapter on a base that computes exactly
   * linear(x, weight, bias, layout) on a float weight (nn.Linear, GPT-2's Conv1D): base and
   * adapter run as one op (loraLinear), the adapter product added inside the base's output
   * buffer. Null when the general path applies.
   */
  private fusedForward(x: Tensor): Tensor | null {
    if (this.activeAdapters.length !== 1 || this.merged.size) return null;
    const name = this.activeAdapters[0];
    if (this.useDora.get(name)) return null;
    const base = this.base_layer as LinearLike & { weight?: Tensor; bias?: Tensor | null };
    const plain = base.constructor === Linear || (base.constructor as { plainLinear?: boolean }).plainLinear === true;
    const w = base.weight;
    if (!plain || !w || (w.dtype !== "float32" && w.dtype !== "bfloat16") || x.dtype !== "float32") return null;
    const xd = this.lora_dropout.get(name)!.forward(x);
    const A = this.lora_A.get(name)!.weight;
    const B = this.lora_B.get(name)!.weight;
    return loraLinear(x, w, base.bias ?? null, this.layout, A, B, this.scaling.get(name)!, xd === x ? null : xd);
  }

  /**
   * The base weight in its stored layout. A quantized base declares `dequantizedWeight()` (its
   * forward is all LoRA otherwise calls), so DoRA's norm sees the weight the layer computes with.
   */
  baseWeight(): Tensor {
    const deq = (this.base_layer as { dequantizedWeight?: () => Tensor }).dequantizedWeight;
    return deq ? deq.call(this.base_layer) : this.base_layer.param("weight");
  }

  /** Σ_j W_ij² per output row: the frozen weight's part of DoRA's norm, computed once per weight state. */
  private rowSquares(): Float64Array {
    if (this.rowSqCache) return this.rowSqCache;
    const w = noGrad(() => this.baseWeight().to("float32").contiguous().toFloat32Array());
    const out = this.outFeatures;
    const inF = this.inFeatures;
    const sq = new Float64Array(out);
    for (let i = 0; i < out; i++) {
      let acc = 0;
      if (this.layout === "out_in") for (let j = 0; j < inF; j++) acc += w[i * inF + j] * w[i * inF + j];
      else for (let j = 0; j < inF; j++) acc += w[j * out + i] * w[j * out + i];
      sq[i] = acc;
    }
    this.rowSqCache = sq;
    return sq;
  }

  /**
   * Runs fn on the base weight as float32, in place. A 4-bit base is dequantized, changed and
   * quantized again with its own settings, as PEFT merges into bitsandbytes layers (so a merge
   * followed by an unmerge is exact only up to 4-bit rounding).
   */
  private updateBaseWeight(what: string, fn: (w: Float32Array) => void): void {
    const base = this.base_layer;
    if (base instanceof QuantizedLinear) {
      const w = base.dequantizedWeight();
      fn(w.f32());
      base.requantize(w);
      w.dispose();
      return;
    }
    fn(this.floatWeight(what));
  }

  private floatWeight(what: string): Float32Array {
    const w = this.baseWeight();
    if (w.dtype !== "float32") {
      throw new PeftConfigError(`[peft] LoRA: cannot ${what} into a ${w.dtype} base weight (${this.base_layer.constructor.name}); load the base model in float32 to merge`);
    }
    return w.f32();
  }

  /** ΔW = s · B A in the base weight's layout ((out, in), or (in, out) for Conv1D: transposed). */
  getDeltaWeight(name: string): Tensor {
    const A = this.lora_A.get(name);
    const B = this.lora_B.get(name);
    if (!A || !B) throw new PeftConfigError(`[peft] LoRA: no adapter "${name}" on this layer; adapters: ${[...this.r.keys()].join(", ")}`);
    const s = this.scaling.get(name)!;
    return noGrad(() => {
      const ba = matmul(B.weight, A.weight);
      const scaled = mul(ba, s);
      return this.layout === "in_out" ? scaled.transpose(0, 1).contiguous() : scaled;
    });
  }

  /**
   * Row norms ‖W + s·B A‖ over the input dim (one per output), as
   * ‖W_i‖² + 2s·B_i·(W Aᵀ)_i + s²·B_i (A Aᵀ) B_iᵀ: only (out, r) and (r, r) products.
   */
  weightNorm(name: string): Float32Array {
    const A = this.lora_A.get(name)!.weight;
    const B = this.lora_B.get(name)!.weight;
    const s = this.scaling.get(name)!;
    const r = A.shape[0];
    const out = this.outFeatures;
    const rowSq = this.rowSquares();
    return noGrad(() => {
      const W = this.baseWeight().to("float32");
      const Wlin = this.layout === "out_in" ? W : W.transpose(0, 1);
      const WA = matmul(Wlin, A.transpose(0, 1)).toFloat32Array(); // (out, r)
      const G = matmul(A, A.transpose(0, 1)).toFloat32Array(); // (r, r)
      const b = B.toFloat32Array();
      const norms = new Float32Array(out);
      for (let i = 0; i < out; i++) {
        const sq = rowSq[i];
        let cross = 0;
        let quad = 0;
        for (let k = 0; k < r; k++) {
          const bik = b[i * r + k];
          cross += bik * WA[i * r + k];
          let gb = 0;
          for (let l = 0; l < r; l++) gb += G[k * r + l] * b[i * r + l];
          quad += bik * gb;
        }
        norms[i] = Math.sqrt(Math.max(sq + 2 * s * cross + s * s * quad, 0));
      }
      return norms;
    });
  }

  /** Folds adapters into the base weight (all active ones by default). */
  merge(names: string[] = this.activeAdapters): void {
    this.rowSqCache = null;
    for (const name of names) {
      if (this.merged.has(name) || !this.r.has(name)) continue;
      const delta = this.getDeltaWeight(name).toFloat32Array();
      if (!this.useDora.get(name)) {
        this.updateBaseWeight("merge", (w) => {
          for (let i = 0; i < w.length; i++) w[i] += delta[i];
        });
        this.merged.set(name, null);
        continue;
      }
      const norm = this.weightNorm(name);
      const m = this.lora_magnitude_vector.get(name)!.param("weight").toFloat32Array();
      this.updateBaseWeight("merge", (w) => this.forEachRow((i, idx) => {
        w[idx] = (w[idx] + delta[idx]) * (m[i] / norm[i]);
      }));
      this.merged.set(name, norm);
    }
  }

  /** Undoes merge() for every merged adapter, most recent first. */
  unmerge(): void {
    this.rowSqCache = null;
    for (const name of [...this.merged.keys()].reverse()) {
      const delta = this.getDeltaWeight(name).toFloat32Array();
      const norm = this.merged.get(name);
      this.updateBaseWeight("unmerge", (w) => {
        if (!norm) {
          for (let i = 0; i < w.length; i++) w[i] -= delta[i];
        } else {
          const m = this.lora_magnitude_vector.get(name)!.param("weight").toFloat32Array();
          this.forEachRow((i, idx) => {
            w[idx] = w[idx] / (m[i] / norm[i]) - delta[idx];
          });
        }
      });
      this.merged.delete(name);
    }
  }

  /** Calls fn(outputRow, flatIndex) for every weight element, whatever the layout. */
  private forEachRow(fn: (row: number, idx: number) => void): void {
    const out = this.outFeatures;
    const inF = this.inFeatures;
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < inF; j++) fn(i, this.layout === "out_in" ? i * inF + j : j * out + i);
    }
  }
}
