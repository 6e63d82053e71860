/**
 * Memory lifetime: scopes free what a step created.
 *
 * Every tensor created inside `scope(fn)` is registered with it. When fn returns, each
 * registered tensor that is not reachable from the return value (walked through arrays,
 * plain objects and Maps) and not marked persistent (parameters, optimizer state,
 * `.keep()`) is released. A released tensor that the autograd graph still saves for
 * backward stays alive until backward consumes it (or the outermost scope ends), so a
 * model's forward can run in an inner scope: its temporaries are freed at once, its saved
 * activations when backward has used them.
 *
 * Scopes survive `await` (AsyncLocalStorage). Tensors created outside any scope are left
 * to the garbage collector.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { Tensor } from "./tensor.js";
import type { GraphNode } from "./autograd.js";

export class Scope {
  tensors: Tensor[] = [];
  nodes: GraphNode[] = [];
  constructor(readonly parent: Scope | null) {}
}

const storage = new AsyncLocalStorage<Scope>();

export function currentScope(): Scope | undefined {
  return storage.getStore();
}

function collectKept(value: unknown, out: Set<Tensor>, seen: Set<unknown>, TensorClass: unknown): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (value instanceof (TensorClass as new () => object)) {
    out.add(value as Tensor);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectKept(v, out, seen, TensorClass);
  } else if (value instanceof Map) {
    for (const v of value.values()) collectKept(v, out, seen, TensorClass);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collectKept(v, out, seen, TensorClass);
  }
}

let tensorClass: unknown = null;
/** Set by tensor.ts (avoids an import cycle). */
export function registerTensorClass(cls: unknown): void {
  tensorClass = cls;
}

function endScope(s: Scope, result: unknown): void {
  const kept = new Set<Tensor>();
  collectKept(result, kept, new Set(), tensorClass);
  const parent = s.parent;
  for (const t of s.tensors) {
    if (t.isFreed || t.persistent) continue;
    if (kept.has(t)) {
      parent?.tensors.push(t);
    } else {
      t.release();
    }
  }
  if (parent) {
    // The graph may still be needed by a backward() in an outer scope.
    for (const n of s.nodes) parent.nodes.push(n);
  } else {
    for (const n of s.nodes) n.release();
  }
  s.tensors = [];
  s.nodes = [];
}

function isPromise(v: unknown): v is Promise<unknown> {
  return typeof (v as { then?: unknown })?.then === "function";
}

/**
 * Runs fn in a new scope and frees every tensor it created except those it returns.
 * fn may be async: the scope then ends when its promise settles.
 */
export function scope<T>(fn: () => T): T {
  const s = new Scope(currentScope() ?? null);
  let result: T;
  try {
    result = storage.run(s, fn);
  } catch (err) {
    endScope(s, undefined);
    throw err;
  }
  if (isPromise(result)) {
    return result.then(
      (value) => {
        endScope(s, value);
        return value;
      },
      (err) => {
        endScope(s, undefined);
        throw err;
      },
    ) as T;
  }
  endScope(s, result);
  return result;
}

/**
 * Runs fn in a scope nested in the current one, so what fn makes and does not return is freed
 * when it returns (saved activations once backward has read them). Outside any scope it just
 * runs fn: a scope of its own would be outermost and end the graph that backward still needs.
 */
export function innerScope<T>(fn: () => T): T {
  return storage.getStore() ? scope(fn) : fn();
}

/**
 * Runs one layer of a stack in its own scope: its intermediates are freed as soon as nothing
 * needs them (at once under noGrad; when backward has read them otherwise) instead of when
 * the caller's scope ends, so a forward holds one layer's temporaries at a time. Only the
 * output is kept: a layer that also fills a KV cache must run without it. `input`, when given,
 * is an earlier layer's output that nothing else holds (not the caller's embeddings): it is
 * released too — freed now unless backward saved it (then once it has read it).
 */
export function layerScope(fn: () => Tensor, input: Tensor | null = null): Tensor {
  const out = innerScope(fn);
  if (input && input !== out) input.release();
  return out;
}

/**
 * The tensors created since the running op began (autograd.ts frees those the op neither
 * returns nor saves). Ops run synchronously, so this is a plain variable, not async context.
 */
let opFrame: Tensor[] | null = null;

/** Installs `next` as the running op's frame and returns the one it replaces. */
export function swapOpFrame(next: Tensor[] | null): Tensor[] | null {
  const prev = opFrame;
  opFrame = next;
  return prev;
}

/** Registers a new tensor with the current scope (no-op outside scopes) and the running op. */
export function track(t: Tensor): void {
  const s = storage.getStore();
  if (s) s.tensors.push(t);
  opFrame?.push(t);
}

export function trackNode(n: GraphNode): void {
  const s = storage.getStore();
  if (s) s.nodes.push(n);
}
