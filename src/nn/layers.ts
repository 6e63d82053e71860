/** The building blocks models are made of: Linear, Embedding, LayerNorm, RMSNorm, Dropout, activations. */
import {
  type Tensor, linear, embedding, layerNorm, rmsNorm, dropout, gelu, relu, silu, tanh, sigmoid, mul, zeros, ones,
} from "../tensor/index.js";
import { Module } from "./module.js";
import { normal, uniform } from "./init.js";

export interface LinearOptions {
  bias?: boolean;
  /** Initialise weight ~ N(0, std) as HF models do; default: torch's uniform(±1/sqrt(in)). */
  std?: number;
}

/**
 * What a model may call on a linear-layer slot. PEFT (LoRA, IA3, bottleneck adapters,
 * modules_to_save) and quantization replace the Linear registered there by a layer of
 * another class (replaceModule), so a model types such a field LinearLike, never Linear:
 * the type promises only what every replacement offers. Swapping code (replaceModule's
 * callers) must put a LinearLike there.
 */
export interface LinearLike extends Module {
  forward(x: Tensor): Tensor;
}

/** Whether m can fill a linear-layer slot (a type guard, for code that swaps layers). */
export function isLinearLike(m: Module): m is LinearLike {
  return typeof (m as { forward?: unknown }).forward === "function";
}

/** Likewise for an embedding slot (modules_to_save may wrap one; read its table with param("weight")). */
export interface EmbeddingLike extends Module {
  forward(ids: Tensor): Tensor;
}

/** y = x W^T + b with W (out, in): torch.nn.Linear. The weight may be bfloat16 when frozen. */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, opts: LinearOptions = {}) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.addParameter("weight", opts.std !== undefined ? normal([outFeatures, inFeatures], opts.std) : uniform([outFeatures, inFeatures], bound));
    this.bias = opts.bias === false ? null : this.addParameter("bias", opts.std !== undefined ? zeros([outFeatures]) : uniform([outFeatures], bound));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

/** A lookup table (V, C): torch.nn.Embedding; the padding row gets no gradient. */
export class Embedding extends Module {
  weight: Tensor;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, readonly paddingIdx: number | null = null, std = 1) {
    super();
    const w = normal([numEmbeddings, embeddingDim], std);
    if (paddingIdx !== null && paddingIdx >= 0 && paddingIdx < numEmbeddings) {
      (w.data as Float32Array).fill(0, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim);
    }
    this.weight = this.addParameter("weight", w);
  }
  forward(ids: Tensor): Tensor {
    return embedding(ids, this.weight, this.paddingIdx ?? undefined);
  }
}

/** LayerNorm over the last dim (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  constructor(readonly size: number, readonly eps = 1e-5, affine = true, withBias = true) {
    super();
    this.weight = affine ? this.addParameter("weight", ones([size])) : null;
    this.bias = affine && withBias ? this.addParameter("bias", zeros([size])) : null;
  }
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.size, this.weight, this.bias, this.eps);
  }
}

/** RMSNorm: w * x / sqrt(mean(x^2) + eps) (Llama, T5's LayerNorm). */
export class RMSNorm extends Module {
  weight: Tensor;
  constructor(readonly size: number, readonly eps = 1e-6) {
    super();
    this.weight = this.addParameter("weight", ones([size]));
  }
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}

/** Dropout that is active only in training mode. */
export class Dropout extends Module {
  constructor(readonly p: number) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`[Dropout] p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor {
    return this.training && this.p > 0 ? dropout(x, this.p, true) : x;
  }
}

export type Activation = (x: Tensor) => Tensor;

/** Hugging Face's ACT2FN names. */
export const ACT2FN: Record<string, Activation> = {
  gelu: (x) => gelu(x),
  gelu_new: (x) => gelu(x, "tanh"),
  gelu_pytorch_tanh: (x) => gelu(x, "tanh"),
  gelu_fast: (x) => gelu(x, "tanh"),
  relu: (x) => relu(x),
  silu: (x) => silu(x),
  swish: (x) => silu(x),
  tanh: (x) => tanh(x),
  sigmoid: (x) => sigmoid(x),
  quick_gelu: (x) => mul(x, sigmoid(mul(x, 1.702))),
};

export function getActivation(name: string): Activation {
  const fn = ACT2FN[name];
  if (!fn) throw new Error(`[activation] unknown hidden_act "${name}"; supported: ${Object.keys(ACT2FN).join(", ")}`);
  return fn;
}
