/**
 * Element-wise math, one table: each entry says which tensor its derivative reads (the
 * input x or the output y), so forward saves only that.
 */
import { defineOp } from "../autograd.js";
import { UnaryOp, type UnaryOpName } from "../native.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";

/** Which value the derivative of each op reads. */
const DERIVATIVE_READS: Record<UnaryOpName, "x" | "y" | "none"> = {
  neg: "none", exp: "y", log: "x", sqrt: "y", rsqrt: "y", tanh: "y", sigmoid: "y", relu: "x",
  gelu_erf: "x", gelu_tanh: "x", silu: "x", abs: "x", square: "x", reciprocal: "y", sin: "x", cos: "x",
};

function defineUnary(op: UnaryOpName): (x: Tensor) => Tensor {
  const reads = DERIVATIVE_READS[op];
  return defineOp({
    name: op,
    forward(_ctx, x: Tensor) {
      if (x.dtype !== "float32") throw new TypeError(`[${op}] expects float32, got ${x.dtype}; convert with .float()`);
      const c = x.isContiguous() ? x : x.contiguousCopy();
      const out = Tensor.empty(x.shape);
      if (out.numel > 0) kernels().unaryForward(UnaryOp[op], out.f32(), c.f32(), out.numel);
      // The contiguous copy the kernel read is the one backward reads too.
      return { out, saved: { x: reads === "x" ? c : null, y: reads === "y" ? out : null } };
    },
    backward({ x, y }, dy) {
      const g = dy.isContiguous() ? dy : dy.contiguousCopy();
      const dx = Tensor.empty(dy.shape);
      if (dx.numel > 0) kernels().unaryBackward(UnaryOp[op], dx.f32(), g.f32(), x?.f32() ?? null, y?.f32() ?? null, dx.numel);
      return [dx];
    },
  });
}

export const neg = defineUnary("neg");
export const exp = defineUnary("exp");
export const log = defineUnary("log");
export const sqrt = defineUnary("sqrt");
export const rsqrt = defineUnary("rsqrt");
export const tanh = defineUnary("tanh");
export const sigmoid = defineUnary("sigmoid");
export const relu = defineUnary("relu");
export const silu = defineUnary("silu");
export const abs = defineUnary("abs");
export const square = defineUnary("square");
export const reciprocal = defineUnary("reciprocal");
export const sin = defineUnary("sin");
export const cos = defineUnary("cos");
const geluErf = defineUnary("gelu_erf");
const geluTanh = defineUnary("gelu_tanh");

/** GELU: the exact erf form, or approximate "tanh" (GPT-2's gelu_new), as torch's F.gelu. */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  return approximate === "tanh" ? geluTanh(x) : geluErf(x);
}
