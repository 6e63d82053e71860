/**
 * Element-wise math, one table: each entry says which tensor its derivative reads (the
 * input x or the output y), so forward saves only that.
 */
import { defineOp } from "../autograd.js";
import { UnaryOp } from "../native.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";
/** Which value the derivative of each op reads. */
const DERIVATIVE_READS = {
    neg: "none", exp: "y", log: "x", sqrt: "y", rsqrt: "y", tanh: "y", sigmoid: "y", relu: "x",
    gelu_erf: "x", gelu_tanh: "x", silu: "x", abs: "x", square: "x", reciprocal: "y", sin: "x", cos: "x",
};
function defineUnary(op) {
    const reads = DERIVATIVE_READS[op];
    return defineOp({
        name: op,
        forward(ctx, x) {
            if (x.dtype !== "float32")
                throw new TypeError(`[${op}] expects float32, got ${x.dtype}; convert with .float()`);
            const c = x.isContiguous() ? x : x.contiguousCopy();
            const out = Tensor.empty(x.shape);
            if (out.numel > 0)
                kernels().unaryForward(UnaryOp[op], out.f32(), c.f32(), out.numel);
            // The contiguous copy the kernel read is the one backward reads too.
            if (ctx.recording && reads === "x")
                ctx.save(c);
            else if (c !== x)
                c.dispose();
            if (reads === "y")
                ctx.save(out);
            return out;
        },
        backward(ctx, dy) {
            const g = dy.isContiguous() ? dy : dy.contiguousCopy();
            const dx = Tensor.empty(dy.shape);
            const saved = ctx.saved[0]?.f32() ?? null;
            if (dx.numel > 0) {
                kernels().unaryBackward(UnaryOp[op], dx.f32(), g.f32(), reads === "x" ? saved : null, reads === "y" ? saved : null, dx.numel);
            }
            if (g !== dy)
                g.dispose();
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
export function gelu(x, approximate = "none") {
    return approximate === "tanh" ? geluTanh(x) : geluErf(x);
}
//# sourceMappingURL=unary.js.map