import { Tensor } from "../tensor.js";
/** config.json's rope_scaling (rope_type "linear" or "llama3"; "default" is none). */
export interface RopeScaling {
    rope_type?: string;
    /** The pre-2024 key for rope_type. */
    type?: string;
    factor?: number;
    low_freq_factor?: number;
    high_freq_factor?: number;
    original_max_position_embeddings?: number;
    [key: string]: unknown;
}
/** inv_freq (D/2) as transformers' ROPE_INIT_FUNCTIONS compute it, in float32. */
export declare function ropeInvFreq(headDim: number, theta?: number, scaling?: RopeScaling | null): Float32Array;
/** cos and sin tables (maxPositions, headDim/2) for applyRotaryEmb. */
export declare function ropeTables(headDim: number, maxPositions: number, theta?: number, scaling?: RopeScaling | null): {
    cos: Tensor;
    sin: Tensor;
};
/**
 * Rotates q or k, x (B, H, T, D), by the angles at positionIds (B, T), (1, T) or (T)
 * (int32), reading cos/sin tables (P, D/2) from ropeTables. Gradients flow to x only.
 */
export declare function applyRotaryEmb(x: Tensor, cos: Tensor, sin: Tensor, positionIds: Tensor | number[] | number[][]): Tensor;
