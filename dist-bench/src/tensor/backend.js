/**
 * The compute backend behind the ops. Today one CPU backend runs the native kernels
 * (native/kernels.h); the contract is the kernel table plus `supportsOp`, so a GPU backend
 * can be added later and decline what it does not implement, without touching models.
 */
import { native } from "./native.js";
class CpuBackend {
    name = "cpu";
    get kernels() {
        return native();
    }
    supportsOp(_op, dtypes) {
        return dtypes.every((d) => d === "float32" || d === "bfloat16" || d === "float16" || d === "int32" || d === "uint8");
    }
    numThreads() {
        return native().numThreads();
    }
    setNumThreads(n) {
        native().setNumThreads(n);
    }
}
let current = new CpuBackend();
export function backend() {
    return current;
}
/** Replaces the active backend (for a future GPU backend; tests). */
export function setBackend(b) {
    current = b;
}
/** The active backend's kernel table: what every op calls. */
export function kernels() {
    return current.kernels;
}
//# sourceMappingURL=backend.js.map