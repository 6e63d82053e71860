export declare function getNumThreads(): number;
/** Resizes the kernel thread pool; n < 1 means "all cores". */
export declare function setNumThreads(n: number): void;
export declare function cpuFeatures(): {
    avx2: boolean;
    fma: boolean;
    f16c: boolean;
    avx512f: boolean;
    avx512bw: boolean;
    simdLevel: number;
};
