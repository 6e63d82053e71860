/**
 * The compute backend behind the ops. Today one CPU backend runs the native kernels
 * (native/kernels.h); the contract is the kernel table plus `supportsOp`, so a GPU backend
 * can be added later and decline what it does not implement, without touching models.
 */
import { type NativeKernels } from "./native.js";
export interface Backend {
    readonly name: string;
    /** The kernels (same signatures as the CPU table). */
    readonly kernels: NativeKernels;
    /** Whether this backend implements the op for these dtypes. */
    supportsOp(op: string, dtypes: readonly string[]): boolean;
    numThreads(): number;
    setNumThreads(n: number): void;
}
export declare function backend(): Backend;
/** Replaces the active backend (for a future GPU backend; tests). */
export declare function setBackend(b: Backend): void;
/** The active backend's kernel table: what every op calls. */
export declare function kernels(): NativeKernels;
