import { Tensor } from "../tensor.js";
export interface AttentionOpts {
    /** (B, Tk): 1 (non-zero) = attend, 0 = padding. Any dtype. */
    keyPaddingMask?: Tensor | null;
    /** Query i sees key j iff j <= i + (Tk - Tq). */
    isCausal?: boolean;
    /** Additive scores, broadcastable to (B, H, Tq, Tk) with a batch dim of 1 or B; differentiable. */
    bias?: Tensor | null;
    /** Multiplies q.k; default 1/sqrt(D). T5 passes 1. */
    scale?: number;
    /** Attention dropout probability (pass 0 in evaluation). */
    dropoutP?: number;
}
/**
 * softmax(q k^T * scale + bias + masks) v, like torch's F.scaled_dot_product_attention.
 * q (B, H, Tq, D); k, v (B, Hkv, Tk, D) with H a multiple of Hkv (grouped-query attention).
 * A query that sees no key (all masked) outputs zeros. Gradients flow to q, k, v and bias.
 */
export declare function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts?: AttentionOpts): Tensor;
