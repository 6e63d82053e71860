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
  forward: (_ctx, a: Tensor, b: Tensor) => ({ out: binaryKernel("add", a, b), saved: { aShape: a.shape, bShape: b.shape } }),
  backward: (s, dy, { needsInputGrad: need }) => [
    need[0] ? sumToShape(dy, s.aShape) : null,
    need[1] ? sumToShape(dy, s.bShape) : null,
  ],
});

const subOp = defineOp({
  name: "sub",
  forward: (_ctx, a: Tensor, b: Tensor) => ({ out: binaryKernel("sub", a, b), saved: { aShape: a.shape, bShape: b.shape } }),
  backward: (s, dy, { needsInputGrad: need }) => [
    need[0] ? sumToShape(dy, s.aShape) : null,
    need[1] ? sumToShape(scalarKernel("mul", dy, -1), s.bShape) : null,
  ],
});

const mulOp = defineOp({
  name: "mul",
  forward({ needsInputGrad: need }, a: Tensor, b: Tensor) {
    // Save only the factor each wanted gradient reads (a frozen operand is not kept).
    const saved = { aShape: a.shape, bShape: b.shape, a: need[1] ? a : null, b: need[0] ? b : null };
    return { out: binaryKernel("mul", a, b), saved };
  },
  backward: (s, dy) => [
    s.b ? sumToShape(binaryKernel("mul", dy, s.b), s.aShape) : null,
    s.a ? sumToShape(binaryKernel("mul", dy, s.a), s.bShape) : null,
  ],
});

const divOp = defineOp({
  name: "div",
  forward(_ctx, a: Tensor, b: Tensor) {
    const out = binaryKernel("div", a, b);
    return { out, saved: { aShape: a.shape, b, out } };
  },
  backward: (s, dy, { needsInputGrad: need }) => [
    need[0] ? sumToShape(binaryKernel("div", dy, s.b), s.aShape) : null,
    // d(a/b)/db = -a/b^2 = -out/b
    need[1] ? sumToShape(scalarKernel("mul", binaryKernel("div", binaryKernel("mul", dy, s.out), s.b), -1), s.b.shape) : null,
  ],
});

const powOp = defineOp({
  name: "pow",
  forward(_ctx, a: Tensor, b: Tensor) {
    const out = binaryKernel("pow", a, b);
    return { out, saved: { a, b, out } };
  },
  backward({ a, b, out }, dy, { needsInputGrad: need }) {
    // torch's pow_backward_self / pow_backward_exponent, zeros where their formulas give
    // 0 · inf: d/da is 0 where b = 0, d/db is 0 where a = 0 and b >= 0.
    const zero = asTensor(0);
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (need[0]) {
      // b * a^(b-1) = b * out / a, but computed directly so a = 0 stays finite.
      const p = binaryKernel("mul", b, binaryKernel("pow", a, scalarKernel("sub", b, 1)));
      da = sumToShape(binaryKernel("mul", dy, whereKernel(cast(scalarKernel("eq", b, 0), "uint8"), zero, p)), a.shape);
    }
    if (need[1]) {
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
    forward: (_ctx, a: Tensor, b: Tensor) => ({ out: binaryKernel(code, a, b), saved: { a, b } }),
    backward({ a, b }, dy, { needsInputGrad: need }) {
      // Ties send the gradient to a (as torch does for clamp-like uses).
      const pick = binaryKernel(code === "max" ? "ge" : "le", a, b);
      const rest = scalarKernel("sub", pick, 1, true);
      return [
        need[0] ? sumToShape(binaryKernel("mul", dy, pick), a.shape) : null,
        need[1] ? sumToShape(binaryKernel("mul", dy, rest), b.shape) : null,
      ];
    },
  });
}
const maximumOp = extremum("maximum", "max");
const minimumOp = extremum("minimum", "min");

const scalarOps = {
  add: defineOp({
    name: "add_scalar",
    forward: (_ctx, x: Tensor, s: number) => ({ out: scalarKernel("add", x, s), saved: null }),
    backward: (_s, dy) => [dy],
  }),
  mul: defineOp({
    name: "mul_scalar",
    forward: (_ctx, x: Tensor, s: number) => ({ out: scalarKernel("mul", x, s), saved: { s } }),
    backward: ({ s }, dy) => [scalarKernel("mul", dy, s)],
  }),
  rsub: defineOp({
    name: "rsub_scalar",
    forward: (_ctx, x: Tensor, s: number) => ({ out: scalarKernel("sub", x, s, true), saved: null }),
    backward: (_s, dy) => [scalarKernel("mul", dy, -1)],
  }),
  rdiv: defineOp({
    name: "rdiv_scalar",
    forward(_ctx, x: Tensor, s: number) {
      const out = scalarKernel("div", x, s, true);
      return { out, saved: { x, out } };
    },
    // d(s/x)/dx = -s/x^2 = -out/x
    backward: ({ x, out }, dy) => [scalarKernel("mul", binaryKernel("div", binaryKernel("mul", dy, out), x), -1)],
  }),
  pow: defineOp({
    name: "pow_scalar",
    forward: (_ctx, x: Tensor, s: number) => ({ out: scalarKernel("pow", x, s), saved: { x, s } }),
    backward({ x, s }, dy) {
      // x^0 is constant; s * x^(s-1) would give 0 * inf = NaN at x = 0.
      if (s === 0) return [zeros(dy.shape)];
      return [binaryKernel("mul", dy, scalarKernel("mul", scalarKernel("pow", x, s - 1), s))];
    },
  }),
  rpow: defineOp({
    name: "rpow_scalar",
    forward(_ctx, x: Tensor, s: number) {
      const out = scalarKernel("pow", x, s, true);
      return { out, saved: { out, s } };
    },
    backward: ({ out, s }, dy) => [scalarKernel("mul", binaryKernel("mul", dy, out), Math.log(s))],
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
