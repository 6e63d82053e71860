import type { Tensor } from "./tensor.js";
import type { GraphNode } from "./autograd.js";
export declare class Scope {
    readonly parent: Scope | null;
    tensors: Tensor[];
    nodes: GraphNode[];
    constructor(parent: Scope | null);
}
export declare function currentScope(): Scope | undefined;
/** Set by tensor.ts (avoids an import cycle). */
export declare function registerTensorClass(cls: unknown): void;
/**
 * Runs fn in a new scope and frees every tensor it created except those it returns.
 * fn may be async: the scope then ends when its promise settles.
 */
export declare function scope<T>(fn: () => T): T;
/** Registers a new tensor with the current scope (no-op outside scopes). */
export declare function track(t: Tensor): void;
export declare function trackNode(n: GraphNode): void;
