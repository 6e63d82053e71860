/**
 * crossEntropy fused with log-softmax (native/cross_entropy.cpp), like
 * F.cross_entropy(logits, target, ignore_index, reduction, label_smoothing) with class
 * indices. The class dim is the LAST dim of logits ((N, V) or (..., V)), the layout of a
 * language model's output, unlike torch's dim 1 for inputs of more than two dims.
 *
 * reduction "mean" divides by the number of non-ignored targets. When every target is
 * ignored, the loss is 0 with a zero gradient (torch gives NaN), so a batch of pure padding
 * does not poison training.
 */
import { defineOp } from "../autograd.js";
import { kernels } from "../backend.js";
import { Tensor } from "../tensor.js";
import { reshape } from "./views.js";
import { sum } from "./reduce.js";
import { mul } from "./binary.js";
import { asIndexTensor } from "./embedding.js";

export interface CrossEntropyOptions {
  ignore_index?: number;
  reduction?: "mean" | "sum" | "none";
  label_smoothing?: number;
}

const crossEntropyRowsOp = defineOp({
  name: "cross_entropy",
  forward(_ctx, logits: Tensor, target: Tensor, ignoreIndex: number, smoothing: number) {
    const [N, V] = logits.shape;
    const lc = logits.isContiguous() ? logits : logits.contiguousCopy();
    const rows = Tensor.empty([N]);
    const lse = Tensor.empty([N]);
    if (N > 0) kernels().crossEntropyForward(rows.f32(), lse.f32(), lc.f32(), target.i32(), N, V, ignoreIndex, smoothing);
    return { out: rows, saved: { logits: lc, lse, target, ignoreIndex, smoothing } };
  },
  backward({ logits, lse, target, ignoreIndex, smoothing }, dy) {
    const [N, V] = logits.shape;
    const g = dy.isContiguous() ? dy : dy.contiguousCopy();
    const dl = Tensor.empty([N, V]);
    if (dl.numel > 0) kernels().crossEntropyBackward(dl.f32(), g.f32(), logits.f32(), lse.f32(), target.i32(), N, V, ignoreIndex, smoothing);
    return [dl, null];
  },
});

/**
 * Cross-entropy between logits (..., V) and int32 class indices target (...). Targets equal
 * to ignore_index (default -100) add nothing; others must lie in [0, V).
 */
export function crossEntropy(logits: Tensor, target: Tensor | number[] | number[][], opts: CrossEntropyOptions = {}): Tensor {
  const where = "[cross_entropy]";
  const ignoreIndex = opts.ignore_index ?? -100;
  const reduction = opts.reduction ?? "mean";
  const smoothing = opts.label_smoothing ?? 0;
  if (!["mean", "sum", "none"].includes(reduction)) {
    throw new RangeError(`${where} reduction must be "mean", "sum" or "none", got "${reduction}"`);
  }
  if (!(smoothing >= 0 && smoothing <= 1)) throw new RangeError(`${where} label_smoothing must be in [0, 1], got ${smoothing}`);
  if (logits.dtype !== "float32") throw new TypeError(`${where} logits must be float32, got ${logits.dtype}`);
  if (logits.ndim < 1) throw new RangeError(`${where} logits must have a class dim, got a scalar`);
  if (target instanceof Tensor && target.dtype !== "int32") {
    throw new TypeError(`${where} target must hold int32 class indices, got ${target.dtype}; convert with .to("int32") (probability targets are not supported)`);
  }
  const t = asIndexTensor(target, "cross_entropy", "target");
  const V = logits.shape[logits.ndim - 1];
  const lead = logits.shape.slice(0, -1);
  if (t.ndim !== lead.length || t.shape.some((d, i) => d !== lead[i])) {
    throw new RangeError(
      `${where} logits are [${logits.shape.join(", ")}] but target is [${t.shape.join(", ")}]; target must be [${lead.join(", ")}] (logits without the last, class, dim)`,
    );
  }
  const ids = t.i32();
  let count = 0;
  for (let i = 0; i < ids.length; i++) {
    const y = ids[i];
    if (y === ignoreIndex) continue;
    if (y < 0 || y >= V) {
      throw new RangeError(`${where} target ${y} at position ${i} is out of range [0, ${V}) and is not ignore_index (${ignoreIndex}); check the labels against the number of classes`);
    }
    count++;
  }
  const rows = crossEntropyRowsOp(reshape(logits, [-1, V]), reshape(t, [-1]), ignoreIndex, smoothing);
  if (reduction === "none") return reshape(rows, lead);
  const total = sum(rows);
  return reduction === "sum" ? total : mul(total, 1 / Math.max(count, 1));
}
