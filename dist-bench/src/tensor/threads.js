/** Thread count and CPU features of the compute backend (TUNELAB_NUM_THREADS sets the default). */
import { backend } from "./backend.js";
import { native } from "./native.js";
export function getNumThreads() {
    return backend().numThreads();
}
/** Resizes the kernel thread pool; n < 1 means "all cores". */
export function setNumThreads(n) {
    backend().setNumThreads(n);
}
export function cpuFeatures() {
    return native().cpuFeatures();
}
//# sourceMappingURL=threads.js.map