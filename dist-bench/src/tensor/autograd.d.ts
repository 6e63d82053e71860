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
import { Tensor } from "./tensor.js";
export declare function isGradEnabled(): boolean;
/** Runs fn without recording the graph (inference, optimizer updates). */
export declare function noGrad<T>(fn: () => T): T;
/** Runs fn with grad mode on even inside noGrad (gradient checkpointing recomputation). */
export declare function enableGrad<T>(fn: () => T): T;
export declare class OpContext {
    saved: Tensor[];
    /** needsInputGrad[i]: tensor input i requires a gradient. */
    needsInputGrad: boolean[];
    /** Whether a graph node is being recorded; save() is a no-op otherwise. */
    recording: boolean;
    /** Free-form non-tensor state forward leaves for backward (shapes, flags). */
    [key: string]: unknown;
    save(...tensors: Tensor[]): void;
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
export declare class GraphNode {
    readonly def: OpDef<never[]>;
    readonly ctx: OpContext;
    readonly inputs: Tensor[];
    released: boolean;
    constructor(def: OpDef<never[]>, ctx: OpContext, inputs: Tensor[]);
    /** Drops the saved tensors (freeing those no longer owned by a scope). */
    release(): void;
}
export declare function defineOp<Args extends unknown[]>(def: OpDef<Args>): (...args: Args) => Tensor;
export declare function registeredOps(): string[];
/**
 * Sets the function backward() calls with each leaf whose gradient is final for this pass
 * (no node left that feeds it), as soon as it is: data parallelism starts reducing a bucket
 * of gradients while backward goes on. Returns the previous one; null removes it.
 */
export declare function setLeafGradFinalHook(fn: ((leaf: Tensor) => void) | null): ((leaf: Tensor) => void) | null;
/** Implements tensor.backward(): see the file comment. */
export declare function runBackward(root: Tensor, gradOutput?: Tensor): void;
