import { type Measured, type TorchRef } from "./common.js";
export interface GemmRow {
    name: string;
    threads: number;
    flops: number;
    m: Measured;
}
export declare function benchGemm(threadCounts: number[], torch: TorchRef | null): Promise<GemmRow[]>;
export declare function gemmTable(rows: GemmRow[], peak: (threads: number) => number): string;
