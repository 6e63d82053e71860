/**
 * The global generator: a (seed, offset) pair over the native counter-based generator
 * (Philox), so the same manualSeed gives the same numbers on every run and any thread
 * count. Its state is two integers, saved in checkpoints to resume exactly.
 */
export interface RngState {
    seed: number;
    offset: number;
}
/** Seeds every random draw in tunelab (init, dropout, shuffles). Like torch.manual_seed. */
export declare function manualSeed(seed: number): void;
export declare function getRngState(): RngState;
export declare function setRngState(s: RngState): void;
/** Reserves n counter values and returns where they start. */
export declare function reserve(n: number): {
    seed: number;
    offset: number;
};
/** A fresh 32-bit seed for a kernel that generates its own stream (dropout). */
export declare function nextKernelSeed(): number;
/** A deterministic JS-side generator (for shuffles and sampling), seeded like numpy's. */
export declare class SeededRandom {
    private s;
    constructor(seed: number);
    /** Uniform in [0, 1) (mulberry32). */
    next(): number;
    /** Integer in [0, n). */
    int(n: number): number;
    /** Fisher-Yates permutation of 0..n-1. */
    permutation(n: number): number[];
}
