/** Dtype conversion: x.to(dtype), x.float(). Float-to-float casts carry gradients. */
import { defineOp } from "../autograd.js";
import { type DType, DTYPE_CODE, isFloatingDtype, parseDtype } from "../dtype.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";

function castKernel(x: Tensor, dtype: DType): Tensor {
  const c = x.isContiguous() ? x : x.contiguousCopy();
  const out = Tensor.empty(x.shape, dtype);
  if (out.numel > 0) kernels().cast(out.data, DTYPE_CODE[dtype], c.data, DTYPE_CODE[x.dtype], out.numel);
  if (c !== x) c.dispose();
  return out;
}

const castOp = defineOp({
  name: "to",
  forward: (_ctx, x: Tensor, dtype: DType) => ({ out: castKernel(x, dtype), saved: null }),
  // Gradients are always float32 (every kernel computes in float32), whatever the dtype
  // of the tensor they belong to.
  backward: (_s, dy) => [dy.dtype === "float32" ? dy : castKernel(dy, "float32")],
});

/** A copy of x converted to dtype (x itself when it already has it). */
export function cast(x: Tensor, dtype: DType | string): Tensor {
  const d = parseDtype(dtype);
  if (d === x.dtype) return x;
  if (isFloatingDtype(d) && isFloatingDtype(x.dtype)) return castOp(x, d);
  return castKernel(x, d);
}
