/**
 * Reverse-mode automatic differentiation.
 *
 * An op is declared once with defineOp: forward saves what backward reads (ctx.save),
 * backward returns one gradient (or null) per tensor input, in argument order. Calling an
 * op records a GraphNode on its output when grad mode is on and some input requires grad.
 * backward() walks the nodes once in reverse topological order, frees each node's saved
 * tensors and incoming gradient as soon as the node is done, and accumulates into the
 * `.grad` of leaves (tensors with requiresGrad and no gradFn).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Tensor, sameShape } from "./tensor.js";
import { scope, trackNode } from "./scope.js";

/**
 * Grad mode lives in AsyncLocalStorage, like scopes: `noGrad(async () => { await x; ... })`
 * stays without a graph after its awaits, and code running beside it (another request's
 * training step) is not switched off. An op's forward runs synchronously, so the engine's
 * "no graph inside an op" is a plain counter.
 */
const gradMode = new AsyncLocalStorage<boolean>();
let insideOpForward = 0;

export function isGradEnabled(): boolean {
  return insideOpForward === 0 && (gradMode.getStore() ?? true);
}

/** Runs fn without recording the graph (inference, optimizer updates); fn may be async. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with grad mode on even inside noGrad (gradient checkpointing recomputation); fn may be async. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const outer = insideOpForward;
  insideOpForward = 0; // a checkpointed block recomputes inside an op's backward: its own setting rules
  try {
    return gradMode.run(enabled, fn);
  } finally {
    insideOpForward = outer;
  }
}

export class OpContext {
  saved: Tensor[] = [];
  /** needsInputGrad[i]: tensor input i requires a gradient. */
  needsInputGrad: boolean[] = [];
  /** Whether a graph node is being recorded; save() is a no-op otherwise. */
  recording = false;
  /** Free-form non-tensor state forward leaves for backward (shapes, flags). */
  [key: string]: unknown;

  save(...tensors: Tensor[]): void {
    if (!this.recording) return;
    for (const t of tensors) {
      t.savedCount++;
      this.saved.push(t);
    }
  }
}

export interface OpDef<Args extends unknown[]> {
  /** snake_case op name, as PyTorch's (used in errors). */
  name: string;
  forward(ctx: OpContext, ...args: Args): Tensor;
  /**
   * One slot per tensor argument (in order); null where no gradient flows. Each returned
   * tensor must be new, dy itself, or a view of dy: the engine frees them.
   */
  backward(ctx: OpContext, dy: Tensor): (Tensor | null | undefined)[];
}

export class GraphNode {
  released = false;
  constructor(
    readonly def: OpDef<never[]>,
    readonly ctx: OpContext,
    readonly inputs: Tensor[],
  ) {}

  /** Drops the saved tensors (freeing those no longer owned by a scope). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const t of this.ctx.saved) t.unsave();
    this.ctx.saved = [];
  }
}

const registry = new Map<string, OpDef<never[]>>();

export function defineOp<Args extends unknown[]>(def: OpDef<Args>): (...args: Args) => Tensor {
  if (registry.has(def.name)) throw new Error(`[autograd] op "${def.name}" is defined twice`);
  if (typeof def.backward !== "function") {
    throw new Error(`[autograd] op "${def.name}" has no backward; declare one (return null for inputs without gradient)`);
  }
  registry.set(def.name, def as unknown as OpDef<never[]>);
  return (...args: Args): Tensor => {
    const inputs: Tensor[] = [];
    for (const a of args) if (a instanceof Tensor) inputs.push(a);
    const ctx = new OpContext();
    let record = false;
    if (isGradEnabled()) {
      for (const t of inputs) {
        const needs = t.requiresGrad;
        ctx.needsInputGrad.push(needs);
        if (needs) record = true;
      }
    }
    ctx.recording = record;
    insideOpForward++;
    let out: Tensor;
    try {
      out = def.forward(ctx, ...args);
    } catch (err) {
      for (const t of ctx.saved) t.unsave();
      throw err;
    } finally {
      insideOpForward--;
    }
    if (record) {
      const node = new GraphNode(def as unknown as OpDef<never[]>, ctx, inputs);
      out.gradFn = node;
      out.requiresGrad = true;
      trackNode(node);
    }
    return out;
  };
}

export function registeredOps(): string[] {
  return [...registry.keys()];
}

function topoOrder(root: GraphNode): GraphNode[] {
  const order: GraphNode[] = [];
  const visited = new Set<GraphNode>();
  // Iterative DFS: deep graphs (long sequences of layers) must not overflow the stack.
  const stack: [GraphNode, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1]++;
      const next = node.inputs[i].gradFn;
      if (next && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order.reverse();
}

let leafGradFinal: ((leaf: Tensor) => void) | null = null;

/**
 * Sets the function backward() calls with each leaf whose gradient is final for this pass
 * (no node left that feeds it), as soon as it is: data parallelism starts reducing a bucket
 * of gradients while backward goes on. Returns the previous one; null removes it.
 */
export function setLeafGradFinalHook(fn: ((leaf: Tensor) => void) | null): ((leaf: Tensor) => void) | null {
  const prev = leafGradFinal;
  leafGradFinal = fn;
  return prev;
}

/** Per leaf, how many nodes of this pass feed its gradient (only while a hook is set). */
function leafUses(order: GraphNode[]): Map<Tensor, number> {
  const uses = new Map<Tensor, number>();
  for (const node of order) for (const t of node.inputs) if (t.requiresGrad && !t.gradFn) uses.set(t, (uses.get(t) ?? 0) + 1);
  return uses;
}

/** Implements tensor.backward(): see the file comment. */
export function runBackward(root: Tensor, gradOutput?: Tensor): void {
  if (!root.requiresGrad) {
    throw new Error(
      "[backward] this tensor does not require grad: no parameter it depends on has requiresGrad " +
        "(or it was computed inside noGrad)",
    );
  }
  if (!gradOutput && root.numel !== 1) {
    throw new Error(`[backward] gradient can be implied only for scalar outputs, but the shape is [${root.shape.join(", ")}]; pass a gradient tensor`);
  }
  if (gradOutput && !sameShape(gradOutput.shape, root.shape)) {
    throw new Error(`[backward] the gradient has shape [${gradOutput.shape}] but the tensor has shape [${root.shape}]`);
  }
  noGrad(() => {
    // A caller's gradient enters as an alias: the engine may free its handle or, seeing the
    // storage shared, accumulate out of place, but never writes into the caller's tensor.
    const seed = gradOutput ? gradOutput.alias() : Tensor.onesLike(root);
    if (!root.gradFn) {
      accumulateLeaf(root, seed);
      leafGradFinal?.(root);
      return;
    }
    if (root.gradFn.released) {
      throw new Error("[backward] the graph of this tensor was already freed (backward called twice, or its scope ended)");
    }
    const grads = new Map<GraphNode, Tensor>();
    grads.set(root.gradFn, seed);
    const order = topoOrder(root.gradFn);
    const hook = leafGradFinal;
    const uses = hook ? leafUses(order) : null;
    const leavesDone = (node: GraphNode): void => {
      if (!uses) return;
      for (const t of node.inputs) {
        const left = uses.get(t);
        if (left === undefined) continue;
        if (left > 1) uses.set(t, left - 1);
        else {
          uses.delete(t);
          hook!(t);
        }
      }
    };
    for (const node of order) {
      const dy = grads.get(node);
      grads.delete(node);
      if (!dy || node.released) {
        dy?.dispose();
        node.release();
        leavesDone(node);
        continue;
      }
      // In its own scope: what the op's backward makes and does not return (temporaries, a
      // checkpointed block's recomputed activations) is freed now, not when the step ends.
      const results = scope(() => node.def.backward(node.ctx, dy));
      // Backward may return dy itself, or one tensor for several inputs (add): give each
      // slot its own tensor object (a view when shared), so that freeing or accumulating
      // into one never touches another.
      const claimed = new Set<Tensor>([dy]);
      for (let i = 0; i < results.length; i++) {
        const r = results[i];
        if (!r) continue;
        if (claimed.has(r)) results[i] = r.alias();
        claimed.add(results[i]!);
      }
      dy.dispose();
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i];
        const g = results[i];
        if (!g) continue;
        if (!input.requiresGrad) {
          g.dispose();
          continue;
        }
        if (!sameShape(g.shape, input.shape)) {
          throw new Error(
            `[backward] op "${node.def.name}" returned a gradient of shape [${g.shape}] for input ${i} of shape [${input.shape}]`,
          );
        }
        if (input.gradFn) {
          const prev = grads.get(input.gradFn);
          grads.set(input.gradFn, prev ? accumulate(prev, g) : g);
        } else {
          accumulateLeaf(input, g);
        }
      }
      node.release();
      leavesDone(node);
    }
  });
}

/** prev + g, in place when prev owns its memory alone. */
function accumulate(prev: Tensor, g: Tensor): Tensor {
  if (prev.storageRefs === 1 && prev.isContiguous()) {
    prev.addInPlace(g);
    g.dispose();
    return prev;
  }
  const sum = prev.add(g);
  prev.dispose();
  g.dispose();
  return sum;
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.grad) {
    leaf.grad.addInPlace(g);
    g.dispose();
    return;
  }
  // Leaf gradients outlive the step's scope (the optimizer reads them).
  const owned = g.storageRefs === 1 && g.isContiguous() && g.dtype === "float32" ? g : g.contiguousCopy();
  if (owned !== g) g.dispose();
  owned.keep();
  leaf.grad = owned;
}
