/**
 * Reverse-mode automatic differentiation.
 *
 * An op is declared once with defineOp<Args, Saved>: forward returns its output and what
 * backward will read (`{ out, saved }`, Saved a typed record: tensors, and the shapes or
 * flags backward needs); backward receives that record and returns one gradient (or null)
 * per tensor input, in argument order. The engine owns every lifetime: when it records a
 * GraphNode it holds the saved tensors until the node is done, and it frees every other
 * tensor the op created (contiguous copies, statistics nobody saved, the temporaries of
 * backward) the moment forward or backward returns — no op disposes anything itself.
 * backward() walks the nodes once in reverse topological order, frees each node's saved
 * tensors and incoming gradient as soon as the node is done, and accumulates into the
 * `.grad` of leaves (tensors with requiresGrad and no gradFn).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { Tensor, sameShape } from "./tensor.js";
import { swapOpFrame, trackNode } from "./scope.js";

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

/** What an op learns about its call: which tensor inputs want a gradient. */
export interface OpContext {
  /**
   * needsInputGrad[i]: tensor input i (tensor arguments counted in order) requires a
   * gradient and a node is being recorded; all false when nothing is recorded.
   */
  readonly needsInputGrad: readonly boolean[];
}

/**
 * What forward hands the engine. Tensors backward reads are direct fields of `saved` (or
 * arrays of tensors in a direct field); null where a gradient that is not wanted would read
 * it. Everything else in Saved is plain state (shapes, flags, a layer).
 */
export interface Forward<Saved> {
  out: Tensor;
  saved: Saved;
}

/** One slot per tensor argument (in order); null where no gradient flows. */
export type Grads = (Tensor | null | undefined)[];

export interface OpDef<Args extends unknown[], Saved> {
  /** snake_case op name, as PyTorch's (used in errors). */
  name: string;
  forward(ctx: OpContext, ...args: Args): Forward<Saved>;
  /**
   * Each returned tensor must be new, dy itself, or a view of dy; the engine frees them
   * and whatever else backward created.
   */
  backward(saved: Saved, dy: Tensor, ctx: OpContext): Grads;
}

type AnyOpDef = OpDef<never[], unknown>;

export class GraphNode {
  released = false;
  constructor(
    readonly def: AnyOpDef,
    readonly ctx: OpContext,
    readonly inputs: Tensor[],
    /** The op's saved record, dropped once the node is done. */
    public saved: unknown,
    /** The tensors in it, which the engine holds until then. */
    public savedTensors: readonly Tensor[],
  ) {}

  /** Drops the saved tensors (freeing those no longer owned by a scope). */
  release(): void {
    if (this.released) return;
    this.released = true;
    for (const t of this.savedTensors) t.unsave();
    this.saved = null;
    this.savedTensors = [];
  }
}

/** The tensors in a saved record: its direct fields, and tensors in arrays there. */
function tensorsIn(saved: unknown): Tensor[] {
  const out: Tensor[] = [];
  if (saved === null || typeof saved !== "object") return out;
  for (const v of Object.values(saved)) {
    if (v instanceof Tensor) out.push(v);
    else if (Array.isArray(v)) for (const t of v) if (t instanceof Tensor) out.push(t);
  }
  return out;
}

/**
 * Runs fn and releases every tensor created while it ran except `survivors(result)` and
 * persistent ones. A released tensor that a graph node saves lives until the node is done
 * (Tensor.release), so an op's saved temporaries are freed by backward, scope or not.
 * Survivors join the enclosing frame: an op called inside another op's forward (or
 * backward) leaves its output to the outer op's accounting.
 */
function inFrame<R>(fn: () => R, survivors: (result: R) => Tensor[]): R {
  const frame: Tensor[] = [];
  const outer = swapOpFrame(frame);
  let result: R;
  try {
    result = fn();
  } catch (err) {
    swapOpFrame(outer);
    for (const t of frame) if (!t.persistent) t.release();
    throw err;
  }
  swapOpFrame(outer);
  const keep = survivors(result);
  for (const t of frame) {
    if (keep.includes(t)) outer?.push(t);
    else if (!t.persistent && !t.isFreed) t.release();
  }
  return result;
}

const registry = new Map<string, AnyOpDef>();

export function defineOp<Args extends unknown[], Saved>(def: OpDef<Args, Saved>): (...args: Args) => Tensor {
  if (registry.has(def.name)) throw new Error(`[autograd] op "${def.name}" is defined twice`);
  if (typeof def.backward !== "function") {
    throw new Error(`[autograd] op "${def.name}" has no backward; declare one (return null for inputs without gradient)`);
  }
  const erased = def as unknown as AnyOpDef;
  registry.set(def.name, erased);
  return (...args: Args): Tensor => {
    const inputs: Tensor[] = [];
    for (const a of args) if (a instanceof Tensor) inputs.push(a);
    const needsInputGrad: boolean[] = new Array<boolean>(inputs.length).fill(false);
    let record = false;
    if (isGradEnabled()) {
      for (let i = 0; i < inputs.length; i++) {
        if (inputs[i].requiresGrad) needsInputGrad[i] = record = true;
      }
    }
    const ctx: OpContext = { needsInputGrad };
    let node = null as GraphNode | null; // set while the frame closes
    insideOpForward++;
    let out: Tensor;
    try {
      out = inFrame(
        () => def.forward(ctx, ...args),
        (r) => {
          if (record) {
            // Held before the frame releases the temporaries among them.
            const saved = tensorsIn(r.saved);
            for (const t of saved) t.savedCount++;
            node = new GraphNode(erased, ctx, inputs, r.saved, saved);
          }
          return [r.out];
        },
      ).out;
    } finally {
      insideOpForward--;
    }
    if (node) {
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
      const results = inFrame(
        () => node.def.backward(node.saved as never, dy, node.ctx),
        (r) => r.filter((t): t is Tensor => !!t),
      );
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
