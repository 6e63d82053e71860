/**
 * The compute backend behind the ops. Today one CPU backend runs the native kernels
 * (native/kernels.h); the contract is the kernel table plus `supportsOp`, so a GPU backend
 * can be added later and decline what it does not implement, without touching models.
 */
import { native, type NativeKernels } from "./native.js";

export interface Backend {
  readonly name: string;
  /** The kernels (same signatures as the CPU table). */
  readonly kernels: NativeKernels;
  /** Whether this backend implements the op for these dtypes. */
  supportsOp(op: string, dtypes: readonly string[]): boolean;
  numThreads(): number;
  setNumThreads(n: number): void;
}

class CpuBackend implements Backend {
  readonly name = "cpu";
  get kernels(): NativeKernels {
    return native();
  }
  supportsOp(_op: string, dtypes: readonly string[]): boolean {
    return dtypes.every((d) => d === "float32" || d === "bfloat16" || d === "float16" || d === "int32" || d === "uint8");
  }
  numThreads(): number {
    return native().numThreads();
  }
  setNumThreads(n: number): void {
    native().setNumThreads(n);
  }
}

let current: Backend = new CpuBackend();

export function backend(): Backend {
  return current;
}

/** Replaces the active backend (for a future GPU backend; tests). */
export function setBackend(b: Backend): void {
  current = b;
}

/** The active backend's kernel table: what every op calls. */
export function kernels(): NativeKernels {
  return current.kernels;
}
