/**
 * What every method shares besides its own layers: `ModuleDict` (PEFT keeps one entry per
 * adapter name, so parameter paths read `lora_A.default.weight`), and `ModulesToSaveWrapper`,
 * PEFT's way to train a whole module (a classifier head) next to an adapter: the original stays
 * frozen under `original_module`, a trainable copy lives under `modules_to_save.<adapter>`.
 */
import { Module } from "../nn/index.js";
/** Children keyed by adapter name (torch.nn.ModuleDict). */
export class ModuleDict extends Module {
    entries = new Map();
    /** Adds or replaces entry `name`; a replaced module's tensors are freed. */
    set(name, m) {
        const old = this.entries.get(name);
        if (old)
            this.replaceModule(name, m);
        else
            this.addModule(name, m);
        this.entries.set(name, m);
        if (old && old !== m)
            old.dispose();
        return m;
    }
    get(name) {
        return this.entries.get(name);
    }
    has(name) {
        return this.entries.has(name);
    }
    keys() {
        return [...this.entries.keys()];
    }
    /** Drops an entry (and frees its tensors). */
    delete(name) {
        const m = this.entries.get(name);
        if (!m)
            return;
        m.dispose();
        this.entries.delete(name);
        this.children.delete(name);
    }
}
/** Parameters keyed by adapter name (torch.nn.ParameterDict): paths read `ia3_l.default`. */
export class ParameterDict extends Module {
    /** Adds or replaces parameter `name`; a replaced tensor is freed. */
    set(name, t) {
        const old = this.get(name);
        this.addParameter(name, t);
        if (old && old !== t)
            old.dispose();
        return t;
    }
    get(name) {
        return this.params.get(name) ?? undefined;
    }
    has(name) {
        return this.params.has(name);
    }
    keys() {
        return [...this.params.keys()];
    }
    delete(name) {
        const params = this.params;
        params.get(name)?.dispose();
        params.delete(name);
    }
}
/** One trainable tensor under the name `name` (DoRA's `lora_magnitude_vector.<adapter>.weight`). */
export class ParameterHolder extends Module {
    constructor(name, t) {
        super();
        this.addParameter(name, t);
    }
}
/**
 * A deep copy of a module (Python's copy.deepcopy, which PEFT uses for modules_to_save):
 * same class and fields, fresh parameter tensors; fields that pointed at the old
 * parameters or children point at the copies.
 */
export function cloneModule(m) {
    const src = m;
    const copy = Object.assign(Object.create(Object.getPrototypeOf(m)), m);
    const dst = copy;
    const moved = new Map();
    dst.params = new Map();
    for (const [k, t] of src.params) {
        const c = t ? t.contiguousCopy().keep() : null;
        if (t && c && t.requiresGrad)
            c.requiresGrad = true;
        dst.params.set(k, c);
        if (t)
            moved.set(t, c);
    }
    dst.buffers = new Map();
    for (const [k, b] of src.buffers) {
        const c = b.tensor ? b.tensor.contiguousCopy().keep() : null;
        dst.buffers.set(k, { tensor: c, persistent: b.persistent });
        if (b.tensor)
            moved.set(b.tensor, c);
    }
    dst.children = new Map();
    for (const [k, ch] of src.children) {
        const c = cloneModule(ch);
        dst.children.set(k, c);
        moved.set(ch, c);
    }
    for (const key of Object.keys(dst)) {
        const v = dst[key];
        if (moved.has(v))
            dst[key] = moved.get(v);
        else if (Array.isArray(v) && v.some((x) => moved.has(x)))
            dst[key] = v.map((x) => (moved.has(x) ? moved.get(x) : x));
    }
    return copy;
}
export class ModulesToSaveWrapper extends Module {
    isTunerLayer = true;
    original_module;
    modules_to_save;
    activeAdapter;
    disabled = false;
    constructor(original, adapterName) {
        super();
        this.original_module = this.addModule("original_module", original);
        this.modules_to_save = this.addModule("modules_to_save", new ModuleDict());
        this.activeAdapter = adapterName;
        this.addAdapter(adapterName);
    }
    get baseLayer() {
        return this.original_module;
    }
    /** A trainable copy of the original for this adapter; the original is frozen. */
    addAdapter(name) {
        if (!this.modules_to_save.has(name)) {
            const copy = cloneModule(this.original_module);
            copy.requiresGrad(true);
            this.modules_to_save.set(name, copy);
        }
        this.original_module.requiresGrad(false);
    }
    setAdapter(names, trainable) {
        const name = names.find((n) => this.modules_to_save.has(n));
        if (name === undefined)
            return;
        this.activeAdapter = name;
        for (const k of this.modules_to_save.keys())
            this.modules_to_save.get(k).requiresGrad(trainable && k === name);
    }
    deleteAdapter(name) {
        this.modules_to_save.delete(name);
    }
    get active() {
        const m = this.disabled || !this.modules_to_save.has(this.activeAdapter) ? this.original_module : this.modules_to_save.get(this.activeAdapter);
        return m;
    }
    forward(...args) {
        return this.active.forward(...args);
    }
}
//# sourceMappingURL=modules_to_save.js.map