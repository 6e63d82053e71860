/** The building blocks models are made of: Linear, Embedding, LayerNorm, RMSNorm, Dropout, activations. */
import { type Tensor } from "../tensor/index.js";
import { Module } from "./module.js";
export interface LinearOptions {
    bias?: boolean;
    /** Initialise weight ~ N(0, std) as HF models do; default: torch's uniform(±1/sqrt(in)). */
    std?: number;
}
/** y = x W^T + b with W (out, in): torch.nn.Linear. The weight may be bfloat16 when frozen. */
export declare class Linear extends Module {
    readonly inFeatures: number;
    readonly outFeatures: number;
    weight: Tensor;
    bias: Tensor | null;
    constructor(inFeatures: number, outFeatures: number, opts?: LinearOptions);
    forward(x: Tensor): Tensor;
}
/** A lookup table (V, C): torch.nn.Embedding; the padding row gets no gradient. */
export declare class Embedding extends Module {
    readonly numEmbeddings: number;
    readonly embeddingDim: number;
    readonly paddingIdx: number | null;
    weight: Tensor;
    constructor(numEmbeddings: number, embeddingDim: number, paddingIdx?: number | null, std?: number);
    forward(ids: Tensor): Tensor;
}
/** LayerNorm over the last dim (torch.nn.LayerNorm). */
export declare class LayerNorm extends Module {
    readonly size: number;
    readonly eps: number;
    weight: Tensor | null;
    bias: Tensor | null;
    constructor(size: number, eps?: number, affine?: boolean, withBias?: boolean);
    forward(x: Tensor): Tensor;
}
/** RMSNorm: w * x / sqrt(mean(x^2) + eps) (Llama, T5's LayerNorm). */
export declare class RMSNorm extends Module {
    readonly size: number;
    readonly eps: number;
    weight: Tensor;
    constructor(size: number, eps?: number);
    forward(x: Tensor): Tensor;
}
/** Dropout that is active only in training mode. */
export declare class Dropout extends Module {
    readonly p: number;
    constructor(p: number);
    forward(x: Tensor): Tensor;
}
export type Activation = (x: Tensor) => Tensor;
/** Hugging Face's ACT2FN names. */
export declare const ACT2FN: Record<string, Activation>;
export declare function getActivation(name: string): Activation;
