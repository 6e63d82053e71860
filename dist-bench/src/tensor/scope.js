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
export class Scope {
    parent;
    tensors = [];
    nodes = [];
    constructor(parent) {
        this.parent = parent;
    }
}
const storage = new AsyncLocalStorage();
export function currentScope() {
    return storage.getStore();
}
function collectKept(value, out, seen, TensorClass) {
    if (value === null || typeof value !== "object" || seen.has(value))
        return;
    seen.add(value);
    if (value instanceof TensorClass) {
        out.add(value);
        return;
    }
    if (Array.isArray(value)) {
        for (const v of value)
            collectKept(v, out, seen, TensorClass);
    }
    else if (value instanceof Map) {
        for (const v of value.values())
            collectKept(v, out, seen, TensorClass);
    }
    else if (Object.getPrototypeOf(value) === Object.prototype) {
        for (const v of Object.values(value))
            collectKept(v, out, seen, TensorClass);
    }
}
let tensorClass = null;
/** Set by tensor.ts (avoids an import cycle). */
export function registerTensorClass(cls) {
    tensorClass = cls;
}
function endScope(s, result) {
    const kept = new Set();
    collectKept(result, kept, new Set(), tensorClass);
    const parent = s.parent;
    for (const t of s.tensors) {
        if (t.isFreed || t.persistent)
            continue;
        if (kept.has(t)) {
            parent?.tensors.push(t);
        }
        else {
            t.release();
        }
    }
    if (parent) {
        // The graph may still be needed by a backward() in an outer scope.
        for (const n of s.nodes)
            parent.nodes.push(n);
    }
    else {
        for (const n of s.nodes)
            n.release();
    }
    s.tensors = [];
    s.nodes = [];
}
function isPromise(v) {
    return typeof v?.then === "function";
}
/**
 * Runs fn in a new scope and frees every tensor it created except those it returns.
 * fn may be async: the scope then ends when its promise settles.
 */
export function scope(fn) {
    const s = new Scope(currentScope() ?? null);
    let result;
    try {
        result = storage.run(s, fn);
    }
    catch (err) {
        endScope(s, undefined);
        throw err;
    }
    if (isPromise(result)) {
        return result.then((value) => {
            endScope(s, value);
            return value;
        }, (err) => {
            endScope(s, undefined);
            throw err;
        });
    }
    endScope(s, result);
    return result;
}
/** Registers a new tensor with the current scope (no-op outside scopes). */
export function track(t) {
    const s = storage.getStore();
    if (s)
        s.tensors.push(t);
}
export function trackNode(n) {
    const s = storage.getStore();
    if (s)
        s.nodes.push(n);
}
//# sourceMappingURL=scope.js.map