/** The building blocks models are made of: Linear, Embedding, LayerNorm, RMSNorm, Dropout, activations. */
import { linear, embedding, layerNorm, rmsNorm, dropout, gelu, relu, silu, tanh, sigmoid, mul, zeros, ones, } from "../tensor/index.js";
import { Module } from "./module.js";
import { normal, uniform } from "./init.js";
/** y = x W^T + b with W (out, in): torch.nn.Linear. The weight may be bfloat16 when frozen. */
export class Linear extends Module {
    inFeatures;
    outFeatures;
    weight;
    bias;
    constructor(inFeatures, outFeatures, opts = {}) {
        super();
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        const bound = 1 / Math.sqrt(inFeatures);
        this.weight = this.addParameter("weight", opts.std !== undefined ? normal([outFeatures, inFeatures], opts.std) : uniform([outFeatures, inFeatures], bound));
        this.bias = opts.bias === false ? null : this.addParameter("bias", opts.std !== undefined ? zeros([outFeatures]) : uniform([outFeatures], bound));
    }
    forward(x) {
        return linear(x, this.weight, this.bias);
    }
}
/** A lookup table (V, C): torch.nn.Embedding; the padding row gets no gradient. */
export class Embedding extends Module {
    numEmbeddings;
    embeddingDim;
    paddingIdx;
    weight;
    constructor(numEmbeddings, embeddingDim, paddingIdx = null, std = 1) {
        super();
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx;
        const w = normal([numEmbeddings, embeddingDim], std);
        if (paddingIdx !== null && paddingIdx >= 0 && paddingIdx < numEmbeddings) {
            w.data.fill(0, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim);
        }
        this.weight = this.addParameter("weight", w);
    }
    forward(ids) {
        return embedding(ids, this.weight, this.paddingIdx ?? undefined);
    }
}
/** LayerNorm over the last dim (torch.nn.LayerNorm). */
export class LayerNorm extends Module {
    size;
    eps;
    weight;
    bias;
    constructor(size, eps = 1e-5, affine = true, withBias = true) {
        super();
        this.size = size;
        this.eps = eps;
        this.weight = affine ? this.addParameter("weight", ones([size])) : null;
        this.bias = affine && withBias ? this.addParameter("bias", zeros([size])) : null;
    }
    forward(x) {
        return layerNorm(x, this.size, this.weight, this.bias, this.eps);
    }
}
/** RMSNorm: w * x / sqrt(mean(x^2) + eps) (Llama, T5's LayerNorm). */
export class RMSNorm extends Module {
    size;
    eps;
    weight;
    constructor(size, eps = 1e-6) {
        super();
        this.size = size;
        this.eps = eps;
        this.weight = this.addParameter("weight", ones([size]));
    }
    forward(x) {
        return rmsNorm(x, this.weight, this.eps);
    }
}
/** Dropout that is active only in training mode. */
export class Dropout extends Module {
    p;
    constructor(p) {
        super();
        this.p = p;
        if (!(p >= 0 && p < 1))
            throw new RangeError(`[Dropout] p must be in [0, 1), got ${p}`);
    }
    forward(x) {
        return this.training && this.p > 0 ? dropout(x, this.p, true) : x;
    }
}
/** Hugging Face's ACT2FN names. */
export const ACT2FN = {
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
export function getActivation(name) {
    const fn = ACT2FN[name];
    if (!fn)
        throw new Error(`[activation] unknown hidden_act "${name}"; supported: ${Object.keys(ACT2FN).join(", ")}`);
    return fn;
}
//# sourceMappingURL=layers.js.map