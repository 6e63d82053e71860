/** The selection kernel outside autograd, shared by where() and pow's backward (its own file: binary.ts needs it, where.ts needs binary.ts). */
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, broadcastStrides } from "./util.js";

/** Selects a where the uint8 mask cond is 1, else b, broadcasting all three (no autograd). */
export function whereKernel(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, "where"), b.shape, "where");
  const out = Tensor.empty(shape);
  if (out.numel === 0) return out;
  const k = shape.length ? shape : [1];
  const s = (t: Tensor) => (shape.length ? broadcastStrides(t.shape, t.strides, shape) : [0]);
  kernels().whereForward(
    out.f32(), k,
    cond.buffer.subarray(cond.offset) as Uint8Array, s(cond),
    a.buffer.subarray(a.offset) as Float32Array, s(a),
    b.buffer.subarray(b.offset) as Float32Array, s(b),
  );
  return out;
}
