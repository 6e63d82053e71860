/** Thread count and CPU features of the compute backend (TUNELAB_NUM_THREADS sets the default). */
import { native } from "./native.js";

export function getNumThreads(): number {
  return native().numThreads();
}

/** Resizes the kernel thread pool; n < 1 means availableCpus() (or TUNELAB_NUM_THREADS). */
export function setNumThreads(n: number): void {
  native().setNumThreads(n);
}

/** CPUs this process may use: its affinity mask, capped by its cgroup's CPU quota (the pool's default size). */
export function availableCpus(): number {
  return native().availableCpus();
}

export function cpuFeatures(): { avx2: boolean; fma: boolean; f16c: boolean; avx512f: boolean; avx512bw: boolean; simdLevel: number } {
  return native().cpuFeatures();
}
