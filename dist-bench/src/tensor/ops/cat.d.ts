import { Tensor } from "../tensor.js";
/** Concatenates tensors along dim (torch.cat). */
export declare function cat(tensors: readonly Tensor[], dim?: number): Tensor;
/** Stacks same-shape tensors along a new dim. */
export declare function stack(tensors: readonly Tensor[], dim?: number): Tensor;
/** Splits into pieces of `size` along dim (the last may be smaller), or into the given sizes. */
export declare function split(x: Tensor, size: number | readonly number[], dim?: number): Tensor[];
/** Splits into `chunks` nearly equal pieces along dim. */
export declare function chunk(x: Tensor, chunks: number, dim?: number): Tensor[];
