/**
 * Attaches the op functions to Tensor as methods (a.add(b), a.softmax(-1), ...), the
 * PyTorch way. Kept apart from tensor.ts so the class has no import cycle with the ops.
 */
import { runBackward } from "./autograd.js";
import { type DType } from "./dtype.js";
import { Tensor, type Shape } from "./tensor.js";
import * as binary from "./ops/binary.js";
import * as unary from "./ops/unary.js";
import * as reduce from "./ops/reduce.js";
import * as views from "./ops/views.js";
import { matmul } from "./ops/matmul.js";
import { cast } from "./ops/cast.js";
import { maskedFill } from "./ops/where.js";
import { softmax, logSoftmax } from "./ops/softmax.js";

type Operand = Tensor | number;

declare module "./tensor.js" {
  interface Tensor {
    backward(gradient?: Tensor): void;
    add(other: Operand): Tensor;
    sub(other: Operand): Tensor;
    mul(other: Operand): Tensor;
    div(other: Operand): Tensor;
    pow(exponent: Operand): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    abs(): Tensor;
    square(): Tensor;
    matmul(other: Tensor): Tensor;
    sum(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    mean(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    amax(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    amin(dim?: number | readonly number[], keepdim?: boolean): Tensor;
    argmax(dim?: number, keepdim?: boolean): Tensor;
    reshape(...shape: number[] | [Shape]): Tensor;
    view(...shape: number[] | [Shape]): Tensor;
    permute(...dims: number[] | [readonly number[]]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    /** 2-D transpose. */
    readonly T: Tensor;
    expand(...shape: number[] | [Shape]): Tensor;
    unsqueeze(dim: number): Tensor;
    squeeze(dim?: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    contiguous(): Tensor;
    clone(): Tensor;
    to(dtype: DType | string): Tensor;
    float(): Tensor;
    maskedFill(mask: Tensor, value: number): Tensor;
    softmax(dim: number): Tensor;
    logSoftmax(dim: number): Tensor;
    eq(other: Operand): Tensor;
    ne(other: Operand): Tensor;
    lt(other: Operand): Tensor;
    le(other: Operand): Tensor;
    gt(other: Operand): Tensor;
    ge(other: Operand): Tensor;
  }
}

function shapeArgs(args: number[] | [Shape]): Shape {
  return Array.isArray(args[0]) ? (args[0] as Shape) : (args as number[]);
}

const methods: Partial<Record<keyof Tensor, unknown>> & ThisType<Tensor> = {
  backward(this: Tensor, gradient?: Tensor) {
    runBackward(this, gradient);
  },
  add(this: Tensor, o: Operand) { return binary.add(this, o); },
  sub(this: Tensor, o: Operand) { return binary.sub(this, o); },
  mul(this: Tensor, o: Operand) { return binary.mul(this, o); },
  div(this: Tensor, o: Operand) { return binary.div(this, o); },
  pow(this: Tensor, o: Operand) { return binary.pow(this, o); },
  eq(this: Tensor, o: Operand) { return binary.eq(this, o); },
  ne(this: Tensor, o: Operand) { return binary.ne(this, o); },
  lt(this: Tensor, o: Operand) { return binary.lt(this, o); },
  le(this: Tensor, o: Operand) { return binary.le(this, o); },
  gt(this: Tensor, o: Operand) { return binary.gt(this, o); },
  ge(this: Tensor, o: Operand) { return binary.ge(this, o); },
  neg(this: Tensor) { return unary.neg(this); },
  exp(this: Tensor) { return unary.exp(this); },
  log(this: Tensor) { return unary.log(this); },
  sqrt(this: Tensor) { return unary.sqrt(this); },
  rsqrt(this: Tensor) { return unary.rsqrt(this); },
  tanh(this: Tensor) { return unary.tanh(this); },
  sigmoid(this: Tensor) { return unary.sigmoid(this); },
  relu(this: Tensor) { return unary.relu(this); },
  abs(this: Tensor) { return unary.abs(this); },
  square(this: Tensor) { return unary.square(this); },
  matmul(this: Tensor, o: Tensor) { return matmul(this, o); },
  sum(this: Tensor, dim?: number | readonly number[], keepdim?: boolean) { return reduce.sum(this, dim, keepdim); },
  mean(this: Tensor, dim?: number | readonly number[], keepdim?: boolean) { return reduce.mean(this, dim, keepdim); },
  amax(this: Tensor, dim?: number | readonly number[], keepdim?: boolean) { return reduce.amax(this, dim, keepdim); },
  amin(this: Tensor, dim?: number | readonly number[], keepdim?: boolean) { return reduce.amin(this, dim, keepdim); },
  argmax(this: Tensor, dim?: number, keepdim?: boolean) { return reduce.argmax(this, dim, keepdim); },
  reshape(this: Tensor, ...shape: number[] | [Shape]) { return views.reshape(this, shapeArgs(shape)); },
  view(this: Tensor, ...shape: number[] | [Shape]) {
    if (!this.isContiguous()) throw new Error("[view] the tensor is not contiguous; use reshape() (which copies) or contiguous().view()");
    return views.reshape(this, shapeArgs(shape));
  },
  permute(this: Tensor, ...dims: number[] | [readonly number[]]) { return views.permute(this, shapeArgs(dims)); },
  transpose(this: Tensor, a: number, b: number) { return views.transpose(this, a, b); },
  expand(this: Tensor, ...shape: number[] | [Shape]) { return views.expand(this, shapeArgs(shape)); },
  unsqueeze(this: Tensor, dim: number) { return views.unsqueeze(this, dim); },
  squeeze(this: Tensor, dim?: number) { return views.squeeze(this, dim); },
  flatten(this: Tensor, s?: number, e?: number) { return views.flatten(this, s, e); },
  slice(this: Tensor, dim: number, start?: number, end?: number, step?: number) { return views.slice(this, dim, start, end, step); },
  narrow(this: Tensor, dim: number, start: number, length: number) { return views.narrow(this, dim, start, length); },
  select(this: Tensor, dim: number, index: number) { return views.select(this, dim, index); },
  contiguous(this: Tensor) { return views.contiguous(this); },
  clone(this: Tensor) { return views.clone(this); },
  to(this: Tensor, dtype: DType | string) { return cast(this, dtype); },
  float(this: Tensor) { return cast(this, "float32"); },
  maskedFill(this: Tensor, mask: Tensor, value: number) { return maskedFill(this, mask, value); },
  softmax(this: Tensor, dim: number) { return softmax(this, dim); },
  logSoftmax(this: Tensor, dim: number) { return logSoftmax(this, dim); },
};

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}

Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) {
    if (this.ndim !== 2) throw new Error(`[T] expects a 2-D tensor, got ${this.ndim} dims; use transpose() or permute()`);
    return views.transpose(this, 0, 1);
  },
  configurable: true,
});
