/**
 * Gradient checkpointing: run a block without keeping its activations, and recompute them
 * in backward. Trades one extra forward per block for the block's activation memory.
 */
import { type Tensor, defineOp, enableGrad, noGrad, isGradEnabled } from "../tensor/index.js";

type Block = (...inputs: Tensor[]) => Tensor;

const checkpointOp = defineOp({
  name: "checkpoint",
  forward(ctx, fn: Block, ...inputs: Tensor[]) {
    ctx.fn = fn;
    ctx.save(...inputs);
    return noGrad(() => fn(...inputs));
  },
  backward(ctx, dy) {
    const fn = ctx.fn as Block;
    const leaves = ctx.saved.map((t, i) => {
      const d = t.detach();
      if (ctx.needsInputGrad[i]) d.setRequiresGrad(true);
      return d;
    });
    const out = enableGrad(() => fn(...leaves));
    // Parameters inside the block are leaves: their .grad accumulates here directly.
    if (out.requiresGrad) out.backward(dy);
    return leaves.map((l, i) => {
      const g = ctx.needsInputGrad[i] ? l.grad : null;
      l.grad = null;
      return g;
    });
  },
});

/**
 * Runs fn(...inputs) with checkpointing when grad mode is on (a plain call otherwise).
 * fn must be deterministic given its inputs (dropout draws are replayed by seed).
 */
export function checkpoint(fn: Block, ...inputs: Tensor[]): Tensor {
  if (!isGradEnabled()) return fn(...inputs);
  return checkpointOp(fn, ...inputs);
}
