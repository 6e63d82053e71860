/** Parameter initialisation as Hugging Face's `_init_weights` does it (seeded by manualSeed). */
import { Tensor, zeros, ones, full } from "../tensor/index.js";
import type { Module } from "./module.js";
/** normal(mean, std) samples of `shape`. */
export declare function normal(shape: number[], std: number, mean?: number): Tensor;
/** Uniform in [-bound, bound) (torch's kaiming_uniform_ for nn.Linear uses bound = 1/sqrt(in)). */
export declare function uniform(shape: number[], bound: number): Tensor;
/**
 * Builds a module whose randomly initialised weights take no memory until they are drawn:
 * a loader fills them from the checkpoint (or quantizes them as it reads), then
 * materializeDeferred draws whatever the checkpoint lacked.
 */
export declare function withDeferredInit<T>(build: () => T): T;
export declare function isDeferred(t: Tensor): boolean;
/** Draws every still-deferred parameter of `m` (newly initialised heads); returns their keys. */
export declare function materializeDeferred(m: Module): string[];
export { zeros, ones, full };
