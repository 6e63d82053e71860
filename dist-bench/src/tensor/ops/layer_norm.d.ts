import { Tensor } from "../tensor.js";
/**
 * F.layer_norm(x, normalizedShape, weight, bias, eps): normalizes over the last
 * normalizedShape dims (a number means one dim of that size). weight and bias have
 * normalizedShape, or are omitted (no affine transform).
 */
export declare function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps?: number): Tensor;
