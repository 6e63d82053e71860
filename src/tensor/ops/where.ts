/** where(cond, a, b) and maskedFill: selection by a mask, broadcasting all three. */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, broadcastStrides } from "./util.js";
import { sumToShape } from "./reduce_kernel.js";
import { full } from "./creation.js";
import { cast } from "./cast.js";
import { ne } from "./binary.js";
import { whereKernel } from "./where_kernel.js";

export { whereKernel };

/**
 * A uint8 0/1 mask: any non-zero value (NaN included, as torch's bool()) selects a. A plain
 * cast would not do: float32 → uint8 truncates 0.5 to 0 and int32 → uint8 wraps 256 to 0.
 */
export function asMask(cond: Tensor): Tensor {
  if (cond.dtype === "uint8") return cond;
  const f = cast(cond, "float32");
  const nonZero = ne(f, 0);
  const m = cast(nonZero, "uint8");
  nonZero.dispose();
  if (f !== cond) f.dispose();
  return m;
}


const whereOp = defineOp({
  name: "where",
  forward(_ctx, cond: Tensor, a: Tensor, b: Tensor) {
    const mask = asMask(cond);
    return { out: whereKernel(mask, a, b), saved: { mask, aShape: a.shape, bShape: b.shape } };
  },
  backward({ mask, aShape, bShape }, dy, { needsInputGrad: need }) {
    const zero = full([], 0);
    return [
      null,
      need[1] ? sumToShape(whereKernel(mask, dy, zero), aShape) : null,
      need[2] ? sumToShape(whereKernel(mask, zero, dy), bShape) : null,
    ];
  },
});

/** Elements of a where cond is non-zero, else of b (numbers broadcast). */
export function where(cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const ta = typeof a === "number" ? full([], a) : a;
  const tb = typeof b === "number" ? full([], b) : b;
  for (const [name, t] of [["a", ta], ["b", tb]] as const) {
    if (t.dtype !== "float32") throw new TypeError(`[where] ${name} must be float32, got ${t.dtype}`);
  }
  return whereOp(cond, ta, tb);
}

/** x with `value` wherever mask is non-zero (torch's masked_fill). */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  return where(mask, value, x);
}
