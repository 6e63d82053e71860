/** Thread count and CPU features of the compute backend (TUNELAB_NUM_THREADS sets the default). */
import { backend } from "./backend.js";
import { native } from "./native.js";

export function getNumThreads(): number {
  return backend().numThreads();
}

/** Resizes the kernel thread pool; n < 1 means "all cores". */
export function setNumThreads(n: number): void {
  backend().setNumThreads(n);
}

export function cpuFeatures(): { avx2: boolean; fma: boolean; f16c: boolean; avx512f: boolean; avx512bw: boolean; simdLevel: number } {
  return native().cpuFeatures();
}
