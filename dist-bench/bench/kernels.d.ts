/**
 * Kernel rows: each op of a transformer step at the shapes a BERT-base / small Llama
 * fine-tune runs, through the public ops (so the TypeScript around each kernel is timed
 * too), beside the same computation in torch.
 */
import { Tensor } from "../src/index.js";
import { type Measured, type TorchRef } from "./common.js";
/** The key padding mask torch_ref.py's padding_mask builds: row i drops its last (37 i) mod T/2 keys. */
export declare function paddingMask(B: number, T: number): Tensor;
export interface KernelRow {
    name: string;
    threads: number;
    m: Measured;
}
export declare function benchKernels(threadCounts: number[], torch: TorchRef | null): Promise<KernelRow[]>;
export declare function kernelTable(rows: KernelRow[]): string;
