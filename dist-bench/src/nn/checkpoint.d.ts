/**
 * Gradient checkpointing: run a block without keeping its activations, and recompute them
 * in backward. Trades one extra forward per block for the block's activation memory.
 */
import { type Tensor } from "../tensor/index.js";
type Block = (...inputs: Tensor[]) => Tensor;
/**
 * Runs fn(...inputs) with checkpointing when grad mode is on (a plain call otherwise). The
 * generator state is replayed for the recomputation (same dropout masks). A frozen first
 * input (PEFT: frozen embeddings) is swapped for a leaf that asks for a gradient, so the
 * op still records a node and trainable weights inside the block get their gradients.
 */
export declare function checkpoint(fn: Block, ...inputs: Tensor[]): Tensor;
export {};
