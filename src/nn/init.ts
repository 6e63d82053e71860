/** Parameter initialisation as Hugging Face's `_init_weights` does it (seeded by manualSeed). */
import { type Tensor, randn, zeros, ones, full, rand } from "../tensor/index.js";

/** normal(mean, std) samples of `shape`. */
export function normal(shape: number[], std: number, mean = 0): Tensor {
  return randn(shape, { mean, std });
}

/** Uniform in [-bound, bound) (torch's kaiming_uniform_ for nn.Linear uses bound = 1/sqrt(in)). */
export function uniform(shape: number[], bound: number): Tensor {
  return rand(shape, { low: -bound, high: bound });
}

export { zeros, ones, full };
