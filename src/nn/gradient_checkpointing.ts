/**
 * Gradient checkpointing: run a block without keeping its activations, and recompute them
 * in backward. Trades one extra forward per block for the block's activation memory.
 */
import { type Tensor, defineOp, enableGrad, noGrad, isGradEnabled, getRngState, withRngState } from "../tensor/index.js";

type Block = (...inputs: Tensor[]) => Tensor;

const checkpointOp = defineOp({
  name: "checkpoint",
  // The block's activations are temporaries of this op: the engine frees them on return.
  forward(_ctx, fn: Block, ...inputs: Tensor[]) {
    const rng = getRngState(); // before the block draws its dropout masks
    return { out: noGrad(() => fn(...inputs)), saved: { fn, rng, inputs } };
  },
  backward({ fn, rng, inputs }, dy, { needsInputGrad: need }) {
    const leaves = inputs.map((t, i) => {
      const d = t.detach();
      if (need[i]) d.setRequiresGrad(true);
      return d;
    });
    const out = withRngState(rng, () => enableGrad(() => fn(...leaves)));
    // Parameters inside the block are leaves: their .grad accumulates here directly.
    if (out.requiresGrad) out.backward(dy);
    return leaves.map((l, i) => {
      const g = need[i] ? l.grad : null;
      l.grad = null;
      return g;
    });
  },
});

/**
 * Runs fn(...inputs) with checkpointing when grad mode is on (a plain call otherwise). The
 * generator state is replayed for the recomputation (same dropout masks). A frozen first
 * input (PEFT: frozen embeddings) is swapped for a leaf that asks for a gradient, so the
 * op still records a node and trainable weights inside the block get their gradients.
 */
export function checkpoint(fn: Block, ...inputs: Tensor[]): Tensor {
  if (!isGradEnabled()) return fn(...inputs);
  const [first, ...rest] = inputs;
  const lead = first.requiresGrad ? first : first.detach().setRequiresGrad(true);
  return checkpointOp(fn, lead, ...rest);
}
