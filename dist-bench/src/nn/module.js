/**
 * Module: named parameters, buffers and children whose dotted paths are the Hugging Face
 * state-dict keys (`encoder.layer.0.attention.self.query.weight`), so checkpoints load by
 * name with no mapping table. Children and parameters are registered explicitly
 * (`this.query = this.addModule("query", new Linear(...))`): the registered name is the
 * checkpoint key, whatever the TypeScript field is called.
 */
import { sameShape } from "../tensor/index.js";
export class Module {
    training = true;
    params = new Map();
    buffers = new Map();
    children = new Map();
    /** Registers (or replaces) a parameter under `name`. It becomes persistent (never freed by a scope). */
    addParameter(name, t, requiresGrad = true) {
        if (t) {
            t.keep();
            if (requiresGrad && t.dtype === "float32")
                t.setRequiresGrad(true);
        }
        this.params.set(name, t);
        return t;
    }
    /** A non-trainable tensor (e.g. position ids); persistent ones are part of the state dict. */
    addBuffer(name, t, persistent = true) {
        t?.keep();
        this.buffers.set(name, { tensor: t, persistent });
        return t;
    }
    addModule(name, m) {
        this.children.set(name, m);
        return m;
    }
    param(name) {
        const t = this.params.get(name);
        if (!t)
            throw this.noParameter(name);
        return t;
    }
    noParameter(name) {
        return new Error(`[module] ${this.constructor.name} has no parameter "${name}"; its parameters are ${[...this.params.keys()].join(", ") || "(none)"}`);
    }
    /** Replaces a registered parameter's tensor (disposing the old one). */
    setParameter(name, t) {
        if (!this.params.has(name))
            throw this.noParameter(name);
        const old = this.params.get(name);
        const trainable = old ? old.requiresGrad : true;
        if (old && old !== t)
            old.dispose();
        t.keep();
        t.requiresGrad = trainable && t.dtype === "float32";
        this.params.set(name, t);
        if (old)
            this.repointFields(old, t);
    }
    /** Fields that held `from` (this.weight, this.query, items[i]) now hold `to`. */
    repointFields(from, to) {
        const self = this;
        for (const key of Object.keys(self)) {
            const v = self[key];
            if (v === from)
                self[key] = to;
            else if (Array.isArray(v))
                v.forEach((item, i) => item === from && (v[i] = to));
        }
    }
    buffer(name) {
        return this.buffers.get(name)?.tensor ?? null;
    }
    child(name) {
        return this.children.get(name);
    }
    *namedChildren() {
        yield* this.children.entries();
    }
    /** Replaces a child (PEFT swaps a Linear for its LoRA wrapper this way). */
    replaceModule(name, m) {
        const old = this.children.get(name);
        if (!old)
            throw new Error(`[module] ${this.constructor.name} has no child "${name}"`);
        this.children.set(name, m);
        this.repointFields(old, m);
    }
    *namedModules(prefix = "") {
        yield [prefix, this];
        for (const [name, m] of this.children)
            yield* m.namedModules(prefix ? `${prefix}.${name}` : name);
    }
    *namedParameters(prefix = "") {
        const seen = new Set();
        for (const [path, m] of this.namedModules(prefix)) {
            for (const [name, t] of m.params) {
                if (!t || seen.has(t))
                    continue; // tied weights appear once, under their first name
                seen.add(t);
                yield [path ? `${path}.${name}` : name, t];
            }
        }
    }
    parameters() {
        return [...this.namedParameters()].map(([, t]) => t);
    }
    trainableParameters() {
        return this.parameters().filter((t) => t.requiresGrad);
    }
    *namedBuffers(prefix = "") {
        for (const [path, m] of this.namedModules(prefix)) {
            for (const [name, b] of m.buffers) {
                if (b.tensor)
                    yield [path ? `${path}.${name}` : name, b.tensor, b.persistent];
            }
        }
    }
    getSubmodule(path) {
        let m = this;
        if (path === "")
            return m;
        for (const part of path.split(".")) {
            const next = m.children.get(part);
            if (!next) {
                throw new Error(`[module] no submodule "${path}": ${m.constructor.name} has children ${[...m.children.keys()].join(", ") || "(none)"}`);
            }
            m = next;
        }
        return m;
    }
    /** Parameters and persistent buffers by full key; tied tensors appear under every name. */
    stateDict() {
        const out = new Map();
        for (const [path, m] of this.namedModules()) {
            for (const [name, t] of m.params)
                if (t)
                    out.set(path ? `${path}.${name}` : name, t);
            for (const [name, b] of m.buffers)
                if (b.tensor && b.persistent)
                    out.set(path ? `${path}.${name}` : name, b.tensor);
        }
        return out;
    }
    /**
     * Loads tensors by key, replacing parameters (shapes must match; dtype may differ: the
     * tensor is converted to the parameter's dtype unless `keepDtype`). Returns the keys
     * that were missing or unexpected; with strict, any mismatch throws listing them.
     */
    loadStateDict(state, opts = {}) {
        const entries = state instanceof Map ? state : new Map(Object.entries(state));
        const missingKeys = [];
        const used = new Set();
        for (const [path, m] of this.namedModules()) {
            const slots = [
                ...[...m.params.keys()].map((k) => [k, "param"]),
                ...[...m.buffers.entries()].filter(([, b]) => b.persistent).map(([k]) => [k, "buffer"]),
            ];
            for (const [name, kind] of slots) {
                const key = path ? `${path}.${name}` : name;
                const src = entries.get(key);
                if (!src) {
                    missingKeys.push(key);
                    continue;
                }
                used.add(key);
                const current = kind === "param" ? m.params.get(name) : m.buffers.get(name).tensor;
                if (current && !sameShape(current.shape, src.shape)) {
                    throw new Error(`[load] "${key}": the checkpoint has shape [${src.shape.join(", ")}] but the model expects [${current.shape.join(", ")}]; check that config.json matches the weights`);
                }
                const wantDtype = current && !opts.keepDtype ? current.dtype : src.dtype;
                const t = src.dtype === wantDtype ? src : src.to(wantDtype);
                if (kind === "param")
                    m.setParameter(name, t);
                else {
                    m.buffers.get(name).tensor?.dispose();
                    m.buffers.set(name, { tensor: t.keep(), persistent: true });
                }
            }
        }
        const unexpectedKeys = [...entries.keys()].filter((k) => !used.has(k));
        if (opts.strict && (missingKeys.length || unexpectedKeys.length)) {
            throw new Error(`[load] state dict mismatch: missing keys ${listKeys(missingKeys)}; unexpected keys ${listKeys(unexpectedKeys)}`);
        }
        return { missingKeys, unexpectedKeys };
    }
    train(mode = true) {
        for (const [, m] of this.namedModules())
            m.training = mode;
        return this;
    }
    eval() {
        return this.train(false);
    }
    /** Sets requiresGrad on every float32 parameter (freeze with false). */
    requiresGrad(flag) {
        for (const t of this.parameters())
            if (t.dtype === "float32")
                t.requiresGrad = flag;
        return this;
    }
    numParameters(onlyTrainable = false) {
        let n = 0;
        for (const t of this.parameters())
            if (!onlyTrainable || t.requiresGrad)
                n += t.numel;
        return n;
    }
    /** Frees every parameter and buffer (the module cannot be used afterwards). */
    dispose() {
        for (const t of this.parameters())
            t.dispose();
        for (const [, b] of this.namedBuffers())
            b.dispose();
    }
}
/** Keys for an error message: the first 8 quoted, then "and N more"; "(none)" when empty. */
export function listKeys(keys) {
    if (keys.length === 0)
        return "(none)";
    const shown = keys.slice(0, 8).map((k) => `"${k}"`).join(", ");
    return keys.length > 8 ? `${shown} and ${keys.length - 8} more` : shown;
}
/** An ordered list of modules whose names are their indices ("0", "1", ...). */
export class ModuleList extends Module {
    items = [];
    constructor(items = []) {
        super();
        for (const m of items)
            this.push(m);
    }
    push(m) {
        this.addModule(String(this.items.length), m);
        this.items.push(m);
    }
    get length() {
        return this.items.length;
    }
    at(i) {
        return this.items[i];
    }
    [Symbol.iterator]() {
        return this.items[Symbol.iterator]();
    }
}
//# sourceMappingURL=module.js.map