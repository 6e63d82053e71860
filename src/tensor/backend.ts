/**
 * The kernels behind the ops: native/kernels.h through the N-API addon. There is one backend,
 * the CPU; an interface for a second one (device buffers, a kernel registry per device) waits
 * until a second backend exists, since a seam nobody implements would only guess its shape.
 * Every op reaches the kernels through kernels(), the one place a dispatch would go.
 */
import { native, type NativeKernels } from "./native.js";

/** The kernel table every op calls. */
export function kernels(): NativeKernels {
  return native();
}
