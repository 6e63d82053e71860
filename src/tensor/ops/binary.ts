/**
 * Broadcasting arithmetic: add, sub, mul, div, pow, maximum, minimum, and comparisons.
 * Either side may be a number. Inputs are read through strides, so broadcasting and
 * non-contiguous views cost no copies.
 */
import { defineOp } from "../autograd.js";
import { BinaryOp, type BinaryOpName } from "../native.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, broadcastStrides } from "./util.js";
import { sumToShape } from "./reduce_kernel.js";
import { log } from "./unary.js";
import { zeros } from "./creation.js";
import { whereKernel } from "./where_kernel.js";
import { cast } from "./cast.js";

export type Operand = Tensor | number;

function checkFloat(x: Tensor, op: string): void {
  if (x.dtype !== "float32") {
    throw new TypeError(`[${op}] expects float32 tensors, got ${x.dtype}; convert with .float()`);
  }
}

/** Runs the strided binary kernel on two tensors (broadcasting). */
export function binaryKernel(op: BinaryOpName, a: Tensor, b: Tensor): Tensor {
  checkFloat(a, op);
  checkFloat(b, op);
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = Tensor.empty(shape);
  if (out.numel === 0) return out;
  // The kernel wants at least one dim.
  const kShape = shape.length ? shape : [1];
  const aStr = shape.length ? broadcastStrides(a.shape, a.strides, shape) : [0];
  const bStr = shape.length ? broadcastStrides(b.shape, b.strides, shape) : [0];
  kernels().binaryForward(
    BinaryOp[op], out.f32(), kShape,
    a.buffer.subarray(a.offset) as Float32Array, aStr,
    b.buffer.subarray(b.offset) as Float32Array, bStr,
  );
  return out;
}

/** x op s (or s op x) for a number s. */
export function scalarKernel(op: BinaryOpName, x: Tensor, s: number, scalarFirst = false): Tensor {
  checkFloat(x, op);
  const c = x.isContiguous() ? x : x.contiguousCopy();
  const out = Tensor.empty(x.shape);
  if (out.numel > 0) kernels().scalarForward(BinaryOp[op], out.f32(), c.f32(), s, scalarFirst, out.numel);
  if (c !== x) c.dispose();
  return out;
}

const addOp = defineOp({
  name: "add",
  forward(ctx, a: Tensor, b: Tensor) {
    Object.assign(ctx, { aShape: a.shape, bShape: b.shape });
    return binaryKernel("add", a, b);
  },
  backward(ctx, dy) {
    return [
      ctx.needsInputGrad[0] ? sumToShape(dy, ctx.aShape as number[]) : null,
      ctx.needsInputGrad[1] ? sumToShape(dy, ctx.bShape as number[]) : null,
    ];
  },
});

const subOp = defineOp({
  name: "sub",
  forward(ctx, a: Tensor, b: Tensor) {
    Object.assign(ctx, { aShape: a.shape, bShape: b.shape });
    return binaryKernel("sub", a, b);
  },
  backward(ctx, dy) {
    return [
      ctx.needsInputGrad[0] ? sumToShape(dy, ctx.aShape as number[]) : null,
      ctx.needsInputGrad[1] ? sumToShape(scalarKernel("mul", dy, -1), ctx.bShape as number[]) : null,
    ];
  },
});

const mulOp = defineOp({
  name: "mul",
  forward(ctx, a: Tensor, b: Tensor) {
    // Save only the factor each wanted gradient reads (a frozen operand is not kept).
    Object.assign(ctx, { aShape: a.shape, bShape: b.shape });
    if (ctx.needsInputGrad[0]) ctx.save(b);
    if (ctx.needsInputGrad[1]) ctx.save(a);
    return binaryKernel("mul", a, b);
  },
  backward(ctx, dy) {
    const [first, second] = ctx.saved;
    const b = ctx.needsInputGrad[0] ? first : null;
    const a = ctx.needsInputGrad[0] ? second : first;
    return [
      b ? sumToShape(binaryKernel("mul", dy, b), ctx.aShape as number[]) : null,
      a ? sumToShape(binaryKernel("mul", dy, a), ctx.bShape as number[]) : null,
    ];
  },
});

const divOp = defineOp({
  name: "div",
  forward(ctx, a: Tensor, b: Tensor) {
    const out = binaryKernel("div", a, b);
    ctx.aShape = a.shape;
    ctx.save(b, out);
    return out;
  },
  backward(ctx, dy) {
    const [b, out] = ctx.saved;
    return [
      ctx.needsInputGrad[0] ? sumToShape(binaryKernel("div", dy, b), ctx.aShape as number[]) : null,
      // d(a/b)/db = -a/b^2 = -out/b
      ctx.needsInputGrad[1] ? sumToShape(scalarKernel("mul", binaryKernel("div", binaryKernel("mul", dy, out), b), -1), b.shape) : null,
    ];
  },
});

const powOp = defineOp({
  name: "pow",
  forward(ctx, a: Tensor, b: Tensor) {
    const out = binaryKernel("pow", a, b);
    ctx.save(a, b, out);
    return out;
  },
  backward(ctx, dy) {
    // torch's pow_backward_self / pow_backward_exponent, zeros where their formulas give
    // 0 · inf: d/da is 0 where b = 0, d/db is 0 where a = 0 and b >= 0.
    const [a, b, out] = ctx.saved;
    const zero = asTensor(0);
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (ctx.needsInputGrad[0]) {
      // b * a^(b-1) = b * out / a, but computed directly so a = 0 stays finite.
      const p = binaryKernel("mul", b, binaryKernel("pow", a, scalarKernel("sub", b, 1)));
      da = sumToShape(binaryKernel("mul", dy, whereKernel(cast(scalarKernel("eq", b, 0), "uint8"), zero, p)), a.shape);
    }
    if (ctx.needsInputGrad[1]) {
      const p = binaryKernel("mul", out, log(a));
      const flat = binaryKernel("mul", scalarKernel("eq", a, 0), scalarKernel("ge", b, 0));
      db = sumToShape(binaryKernel("mul", dy, whereKernel(cast(flat, "uint8"), zero, p)), b.shape);
    }
    return [da, db];
  },
});

function extremum(name: "maximum" | "minimum", code: "max" | "min") {
  return defineOp({
    name,
    forward(ctx, a: Tensor, b: Tensor) {
      ctx.save(a, b);
      return binaryKernel(code, a, b);
    },
    backward(ctx, dy) {
      // Ties send the gradient to a (as torch does for clamp-like uses).
      const [a, b] = ctx.saved;
      const pick = binaryKernel(code === "max" ? "ge" : "le", a, b);
      const rest = scalarKernel("sub", pick, 1, true);
      return [
        ctx.needsInputGrad[0] ? sumToShape(binaryKernel("mul", dy, pick), a.shape) : null,
        ctx.needsInputGrad[1] ? sumToShape(binaryKernel("mul", dy, rest), b.shape) : null,
      ];
    },
  });
}
const maximumOp = extremum("maximum", "max");
const minimumOp = extremum("minimum", "min");

const scalarOps = {
  add: defineOp({
    name: "add_scalar",
    forward: (_ctx, x: Tensor, s: number) => scalarKernel("add", x, s),
    backward: (_ctx, dy) => [dy],
  }),
  mul: defineOp({
    name: "mul_scalar",
    forward(ctx, x: Tensor, s: number) {
      ctx.s = s;
      return scalarKernel("mul", x, s);
    },
    backward: (ctx, dy) => [scalarKernel("mul", dy, ctx.s as number)],
  }),
  rsub: defineOp({
    name: "rsub_scalar",
    forward: (_ctx, x: Tensor, s: number) => scalarKernel("sub", x, s, true),
    backward: (_ctx, dy) => [scalarKernel("mul", dy, -1)],
  }),
  rdiv: defineOp({
    name: "rdiv_scalar",
    forward(ctx, x: Tensor, s: number) {
      const out = scalarKernel("div", x, s, true);
      ctx.save(x, out);
      return out;
    },
    // d(s/x)/dx = -s/x^2 = -out/x
    backward: (ctx, dy) => [scalarKernel("mul", binaryKernel("div", binaryKernel("mul", dy, ctx.saved[1]), ctx.saved[0]), -1)],
  }),
  pow: defineOp({
    name: "pow_scalar",
    forward(ctx, x: Tensor, s: number) {
      ctx.s = s;
      ctx.save(x);
      return scalarKernel("pow", x, s);
    },
    backward(ctx, dy) {
      const s = ctx.s as number;
      // x^0 is constant; s * x^(s-1) would give 0 * inf = NaN at x = 0.
      if (s === 0) return [zeros(dy.shape)];
      return [binaryKernel("mul", dy, scalarKernel("mul", scalarKernel("pow", ctx.saved[0], s - 1), s))];
    },
  }),
  rpow: defineOp({
    name: "rpow_scalar",
    forward(ctx, x: Tensor, s: number) {
      ctx.s = s;
      const out = scalarKernel("pow", x, s, true);
      ctx.save(out);
      return out;
    },
    backward: (ctx, dy) => [scalarKernel("mul", binaryKernel("mul", dy, ctx.saved[0]), Math.log(ctx.s as number))],
  }),
};

function asTensor(v: number): Tensor {
  const t = Tensor.empty([]);
  t.f32()[0] = v;
  return t;
}

export function add(a: Operand, b: Operand): Tensor {
  if (typeof b === "number") return typeof a === "number" ? asTensor(a + b) : scalarOps.add(a, b);
  if (typeof a === "number") return scalarOps.add(b, a);
  return addOp(a, b);
}

export function sub(a: Operand, b: Operand): Tensor {
  if (typeof b === "number") return typeof a === "number" ? asTensor(a - b) : scalarOps.add(a, -b);
  if (typeof a === "number") return scalarOps.rsub(b, a);
  return subOp(a, b);
}

export function mul(a: Operand, b: Operand): Tensor {
  if (typeof b === "number") return typeof a === "number" ? asTensor(a * b) : scalarOps.mul(a, b);
  if (typeof a === "number") return scalarOps.mul(b, a);
  return mulOp(a, b);
}

export function div(a: Operand, b: Operand): Tensor {
  if (typeof b === "number") return typeof a === "number" ? asTensor(a / b) : scalarOps.mul(a, 1 / b);
  if (typeof a === "number") return scalarOps.rdiv(b, a);
  return divOp(a, b);
}

export function pow(a: Operand, b: Operand): Tensor {
  if (typeof b === "number") return typeof a === "number" ? asTensor(a ** b) : scalarOps.pow(a, b);
  if (typeof a === "number") return scalarOps.rpow(b, a);
  return powOp(a, b);
}

export function maximum(a: Tensor, b: Operand): Tensor {
  return maximumOp(a, typeof b === "number" ? asTensor(b) : b);
}

export function minimum(a: Tensor, b: Operand): Tensor {
  return minimumOp(a, typeof b === "number" ? asTensor(b) : b);
}

/** clamp(x, min, max): bounds may be omitted (undefined). */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  let out = x;
  if (min !== undefined) out = maximum(out, min);
  if (max !== undefined) out = minimum(out, max);
  return out;
}

function comparison(op: "eq" | "ne" | "lt" | "le" | "gt" | "ge") {
  return (a: Tensor, b: Operand): Tensor =>
    typeof b === "number" ? scalarKernel(op, a, b) : binaryKernel(op, a, b);
}

/** Comparisons give float32 1/0 masks (no gradient). */
export const eq = comparison("eq");
export const ne = comparison("ne");
export const lt = comparison("lt");
export const le = comparison("le");
export const gt = comparison("gt");
export const ge = comparison("ge");
