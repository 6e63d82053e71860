import { Tensor } from "../src/index.js";
export declare const repoRoot: string;
/** Debian's python3 (with python3-torch); TUNELAB_BENCH_PYTHON points elsewhere. */
export declare const PYTHON: string;
/** Seconds per call a measurement aims to collect (per side, all rounds together). */
export declare const MIN_TIME: number;
/** The reported statistic of per-call times (see the file comment). */
export declare const QUANTILE = 0.1;
/**
 * Per-call times of fn: `warmup` untimed calls, then calls until `minTime` seconds and
 * `minCalls` calls have passed. Returns every sample (seconds) so rounds can be merged.
 */
export declare function samples(fn: () => void, minTime: number, warmup?: number, minCalls?: number): number[];
/** The q-quantile of xs (nearest rank); q = 0.5 is the median. */
export declare function quantile(xs: number[], q: number): number;
export declare function geomean(xs: number[]): number;
/** The answer of torch_ref.py to one job. */
export interface TorchResult {
    samples: number[];
    loss?: number;
    note?: string;
    error?: string;
}
/**
 * One long-lived `python3 bench/torch_ref.py` that answers JSON jobs line by line, so rows
 * can alternate between the two engines without paying torch's import each time.
 */
export declare class TorchRef {
    private proc;
    private waiting;
    private stderr;
    readonly version: string;
    private constructor();
    /** Starts the reference, installing python3-torch with apt when root; null when unavailable. */
    static start(): TorchRef | null;
    run(job: Record<string, unknown>): Promise<TorchResult>;
    close(): void;
}
/** One timed comparison, as the tables print it. */
export interface Measured {
    ours: number;
    torch?: number;
    /** Why the torch column is empty (torch missing or failing). */
    torchNote?: string;
    /** What torch_ref.py says about the variant it ran (e.g. AdamW's foreach). */
    torchInfo?: string;
    torchLoss?: number;
    /** The fastest torch time at this thread count or fewer, and that count (see preferBestTorch). */
    torchBest?: number;
    torchBestThreads?: number;
}
/**
 * Compares each row against torch's best time at its thread count or fewer. torch cannot
 * get slower from more threads on an idle machine, but its OpenMP barriers collapse when
 * another process holds a core; crediting tunelab with that would be a claim the bench
 * cannot back, so the speedup column uses whichever torch figure is faster.
 */
export declare function preferBestTorch(rows: {
    name: string;
    threads: number;
    m: Measured;
}[]): void;
/**
 * Alternates `rounds` times between our fn and the torch job (each round gets
 * minTime / rounds per side) and returns both QUANTILEs.
 */
export declare function compare(ours: () => void, torch: TorchRef | null, job: Record<string, unknown>, opts?: {
    minTime?: number;
    rounds?: number;
    warmup?: number;
    minCalls?: number;
}): Promise<Measured>;
/** A GitHub-markdown table with right-aligned number columns. */
export declare function table(header: string[], rows: (string | number)[][]): string;
export declare function fmtMs(sec: number | undefined): string;
/** torch time (its best at this many threads or fewer) / our time: above 1 means tunelab is faster. */
export declare function ratio(m: Measured): number | undefined;
/** The speedup, marked † when it is against torch's figure at fewer threads. */
export declare function fmtRatio(m: Measured, threads: number): string;
/**
 * Deterministic values both engines compute bit for bit: a 32-bit integer hash of
 * (index, seed), mapped to a uniform number in [-0.5, 0.5) and scaled (in float64, then
 * rounded to float32). torch_ref.py's `hash_uniform` is the same function in int64 tensors.
 */
export declare function hash32(i: number, seed: number): number;
/** Uniform values with standard deviation `std` (uniform on ±std·√3). */
export declare function hashUniform(n: number, seed: number, std: number): Float32Array;
/** Integers in [0, mod) from the same hash. */
export declare function hashInts(n: number, seed: number, mod: number): Int32Array;
/** A persistent float32 tensor of hash values (std 0 gives zeros, `fill` a constant). */
export declare function hashTensor(shape: number[], seed: number, std: number, fill?: number): Tensor;
/** Frees the gradients fn left on leaves (what torch's `x.grad = None` does). */
export declare function clearGrads(ts: Tensor[]): void;
