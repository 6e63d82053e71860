import { type BinaryOpName } from "../native.js";
import { Tensor } from "../tensor.js";
export type Operand = Tensor | number;
/** Runs the strided binary kernel on two tensors (broadcasting). */
export declare function binaryKernel(op: BinaryOpName, a: Tensor, b: Tensor): Tensor;
/** x op s (or s op x) for a number s. */
export declare function scalarKernel(op: BinaryOpName, x: Tensor, s: number, scalarFirst?: boolean): Tensor;
export declare function add(a: Operand, b: Operand): Tensor;
export declare function sub(a: Operand, b: Operand): Tensor;
export declare function mul(a: Operand, b: Operand): Tensor;
export declare function div(a: Operand, b: Operand): Tensor;
export declare function pow(a: Operand, b: Operand): Tensor;
export declare function maximum(a: Tensor, b: Operand): Tensor;
export declare function minimum(a: Tensor, b: Operand): Tensor;
/** clamp(x, min, max): bounds may be omitted (undefined). */
export declare function clamp(x: Tensor, min?: number, max?: number): Tensor;
/** Comparisons give float32 1/0 masks (no gradient). */
export declare const eq: (a: Tensor, b: Operand) => Tensor;
export declare const ne: (a: Tensor, b: Operand) => Tensor;
export declare const lt: (a: Tensor, b: Operand) => Tensor;
export declare const le: (a: Tensor, b: Operand) => Tensor;
export declare const gt: (a: Tensor, b: Operand) => Tensor;
export declare const ge: (a: Tensor, b: Operand) => Tensor;
