/**
 * Module: named parameters, buffers and children whose dotted paths are the Hugging Face
 * state-dict keys (`encoder.layer.0.attention.self.query.weight`), so checkpoints load by
 * name with no mapping table. Children and parameters are registered explicitly
 * (`this.query = this.addModule("query", new Linear(...))`): the registered name is the
 * checkpoint key. The registry is the only truth: a field named like the registered name
 * reads it (addModule makes the field an accessor), so `replaceModule("a.b.query", lora)`
 * swaps a layer in one operation and every reader sees the new one — no field rewriting.
 */
import { Tensor, sameShape } from "../tensor/index.js";

export type StateDict = Map<string, Tensor>;

export interface LoadResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

export class Module {
  training = true;
  private readonly params = new Map<string, Tensor | null>();
  private readonly buffers = new Map<string, { tensor: Tensor | null; persistent: boolean }>();
  private readonly children = new Map<string, Module>();

  /** Registers (or replaces) a parameter under `name`. It becomes persistent (never freed by a scope). */
  addParameter(name: string, t: Tensor | null, requiresGrad = true): Tensor {
    if (t) {
      t.keep();
      if (requiresGrad && t.dtype === "float32") t.setRequiresGrad(true);
    }
    this.params.set(name, t);
    this.bindParameter(name);
    return t as Tensor;
  }

  /** A non-trainable tensor (e.g. position ids); persistent ones are part of the state dict. */
  addBuffer(name: string, t: Tensor | null, persistent = true): Tensor {
    t?.keep();
    this.buffers.set(name, { tensor: t, persistent });
    this.bindBuffer(name);
    return t as Tensor;
  }

  /** Registers a child under `name` (its checkpoint key); a field of the same name reads it. */
  addModule<M extends Module>(name: string, m: M): M {
    if (!(m instanceof Module)) throw new TypeError(`[module] ${this.constructor.name}.addModule("${name}"): not a Module`);
    this.children.set(name, m);
    this.bindChild(name);
    return m;
  }

  private bindParameter(name: string): void {
    this.bindField(name, () => this.params.get(name) ?? null, (v) => v !== this.params.get(name) && this.setParameter(name, v as Tensor));
  }

  private bindBuffer(name: string): void {
    this.bindField(name, () => this.buffers.get(name)?.tensor ?? null, (v) => this.setBuffer(name, v as Tensor | null));
  }

  /**
   * Replaces a registered buffer's tensor (a cache grown on demand, a loaded value). The new
   * one persists; the old one is released: freed now, or once a graph that saved it for
   * backward is done with it.
   */
  setBuffer(name: string, t: Tensor | null): void {
    const b = this.buffers.get(name);
    if (!b) throw new Error(`[module] ${this.constructor.name} has no buffer "${name}"; its buffers are ${[...this.buffers.keys()].join(", ") || "(none)"}`);
    if (t === b.tensor) return;
    b.tensor?.release();
    this.buffers.set(name, { tensor: t?.keep() ?? null, persistent: b.persistent });
  }

  private bindChild(name: string): void {
    this.bindField(name, () => this.children.get(name), (v) => v !== this.children.get(name) && this.replaceModule(name, v as Module));
  }

  /**
   * Makes the field `name` read the registry. A name that is not an identifier, or that would
   * hide a method or getter of the class (a child called "train"), stays reachable by child().
   * Not configurable: a subclass that re-declares such a field without `declare` fails loudly
   * at construction instead of holding a stale copy.
   */
  private bindField(name: string, get: () => unknown, set: (v: unknown) => unknown): void {
    if (!/^[A-Za-z_$][\w$]*$/.test(name)) return;
    const own = Object.getOwnPropertyDescriptor(this, name);
    if (own?.get) return; // already bound
    if (!own && name in this) return;
    Object.defineProperty(this, name, { get, set: (v: unknown) => void set(v), enumerable: true, configurable: false });
  }

  param(name: string): Tensor {
    const t = this.params.get(name);
    if (!t) throw this.noParameter(name);
    return t;
  }

  private noParameter(name: string): Error {
    return new Error(`[module] ${this.constructor.name} has no parameter "${name}"; its parameters are ${[...this.params.keys()].join(", ") || "(none)"}`);
  }

  /** Replaces a registered parameter's tensor (disposing the old one). */
  setParameter(name: string, t: Tensor): void {
    if (!this.params.has(name)) throw this.noParameter(name);
    const old = this.params.get(name);
    const trainable = old ? old.requiresGrad : true;
    if (old && old !== t) old.dispose();
    t.keep();
    t.requiresGrad = trainable && t.dtype === "float32";
    this.params.set(name, t);
  }

  /** Parameter `name` of this module itself, or undefined. */
  ownParameter(name: string): Tensor | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** Names of this module's own parameters (not its children's). */
  ownParameterNames(): string[] {
    return [...this.params.keys()];
  }

  /**
   * Unregisters a parameter (dotted paths reach into children) and returns its tensor, which
   * the caller now owns (it is not freed); a field of that name then reads null.
   */
  removeParameter(path: string): Tensor | null {
    const { owner, name } = this.ownerOf(path);
    if (!owner.params.has(name)) throw owner.noParameter(name);
    const t = owner.params.get(name) ?? null;
    owner.params.delete(name);
    return t;
  }

  buffer(name: string): Tensor | null {
    return this.buffers.get(name)?.tensor ?? null;
  }

  child(name: string): Module | undefined {
    return this.children.get(name);
  }

  *namedChildren(): Generator<[string, Module]> {
    yield* this.children.entries();
  }

  /**
   * Swaps the module at a dotted path (PEFT's LoRA wrapper for a Linear, a 4-bit Linear for a
   * float one) and returns the one it replaced, which the caller now owns (it is not freed).
   */
  replaceModule(path: string, m: Module): Module {
    const { owner, name } = this.ownerOf(path);
    const old = owner.children.get(name);
    if (!old) throw new Error(`[module] no submodule "${path}": ${owner.constructor.name} has children ${[...owner.children.keys()].join(", ") || "(none)"}`);
    if (!(m instanceof Module)) throw new TypeError(`[module] replaceModule("${path}"): not a Module`);
    owner.children.set(name, m);
    return old;
  }

  /** Unregisters the module at a dotted path and returns it (not freed); a field of that name then reads undefined. */
  removeModule(path: string): Module {
    const { owner, name } = this.ownerOf(path);
    const old = owner.children.get(name);
    if (!old) throw new Error(`[module] no submodule "${path}": ${owner.constructor.name} has children ${[...owner.children.keys()].join(", ") || "(none)"}`);
    owner.children.delete(name);
    return old;
  }

  /** The module that holds the last part of a dotted path, and that part. */
  private ownerOf(path: string): { owner: Module; name: string } {
    const i = path.lastIndexOf(".");
    return { owner: i < 0 ? this : this.getSubmodule(path.slice(0, i)), name: path.slice(i + 1) };
  }

  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, m] of this.children) yield* m.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  *namedParameters(prefix = ""): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, t] of m.params) {
        if (!t || seen.has(t)) continue; // tied weights appear once, under their first name
        seen.add(t);
        yield [path ? `${path}.${name}` : name, t];
      }
    }
  }

  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, t]) => t);
  }

  trainableParameters(): Tensor[] {
    return this.parameters().filter((t) => t.requiresGrad);
  }

  *namedBuffers(prefix = ""): Generator<[string, Tensor, boolean]> {
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [name, b] of m.buffers) {
        if (b.tensor) yield [path ? `${path}.${name}` : name, b.tensor, b.persistent];
      }
    }
  }

  getSubmodule(path: string): Module {
    let m: Module = this;
    if (path === "") return m;
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
  stateDict(): StateDict {
    const out: StateDict = new Map();
    for (const [path, m] of this.namedModules()) {
      for (const [name, t] of m.params) if (t) out.set(path ? `${path}.${name}` : name, t);
      for (const [name, b] of m.buffers) if (b.tensor && b.persistent) out.set(path ? `${path}.${name}` : name, b.tensor);
    }
    return out;
  }

  /**
   * Loads tensors by key, replacing parameters (shapes must match; dtype may differ: the
   * tensor is converted to the parameter's dtype unless `keepDtype`). Returns the keys
   * that were missing or unexpected; with strict, any mismatch throws listing them.
   */
  loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, opts: { strict?: boolean; keepDtype?: boolean } = {}): LoadResult {
    const entries = state instanceof Map ? state : new Map(Object.entries(state));
    const missingKeys: string[] = [];
    const used = new Set<string>();
    for (const [path, m] of this.namedModules()) {
      const slots: [string, "param" | "buffer"][] = [
        ...[...m.params.keys()].map((k) => [k, "param"] as [string, "param"]),
        ...[...m.buffers.entries()].filter(([, b]) => b.persistent).map(([k]) => [k, "buffer"] as [string, "buffer"]),
      ];
      for (const [name, kind] of slots) {
        const key = path ? `${path}.${name}` : name;
        const src = entries.get(key);
        if (!src) {
          missingKeys.push(key);
          continue;
        }
        used.add(key);
        const current = kind === "param" ? m.params.get(name) : m.buffers.get(name)!.tensor;
        if (current && !sameShape(current.shape, src.shape)) {
          throw new Error(`[load] "${key}": the checkpoint has shape [${src.shape.join(", ")}] but the model expects [${current.shape.join(", ")}]; check that config.json matches the weights`);
        }
        const wantDtype = current && !opts.keepDtype ? current.dtype : src.dtype;
        const t = src.dtype === wantDtype ? src : src.to(wantDtype);
        if (kind === "param") m.setParameter(name, t);
        else {
          m.buffers.get(name)!.tensor?.dispose();
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

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Sets requiresGrad on every float32 parameter (freeze with false). */
  requiresGrad(flag: boolean): this {
    for (const t of this.parameters()) if (t.dtype === "float32") t.requiresGrad = flag;
    return this;
  }

  numParameters(onlyTrainable = false): number {
    let n = 0;
    for (const t of this.parameters()) if (!onlyTrainable || t.requiresGrad) n += t.numel;
    return n;
  }

  /**
   * A deep copy (Python's copy.deepcopy, which PEFT uses for modules_to_save): same class,
   * fresh parameter and buffer tensors (requiresGrad kept), cloned children, and own state
   * copied — Maps, Sets, arrays, typed arrays and plain objects are new, tensors held outside
   * the registry (caches) are copied too — so nothing mutable is shared with the original.
   * Class instances that are not modules or tensors (a config) are shared.
   */
  clone(): this {
    const moved = new Map<unknown, unknown>();
    const copy = Object.create(Object.getPrototypeOf(this)) as this;
    const copyTensor = (t: Tensor): Tensor => {
      const c = t.contiguousCopy().keep();
      if (t.requiresGrad) c.requiresGrad = true;
      moved.set(t, c);
      return c;
    };
    const params = new Map<string, Tensor | null>();
    for (const [k, t] of this.params) params.set(k, t ? copyTensor(t) : null);
    const buffers = new Map<string, { tensor: Tensor | null; persistent: boolean }>();
    for (const [k, b] of this.buffers) buffers.set(k, { tensor: b.tensor ? copyTensor(b.tensor) : null, persistent: b.persistent });
    const children = new Map<string, Module>();
    for (const [k, ch] of this.children) {
      const c = ch.clone();
      children.set(k, c);
      moved.set(ch, c);
    }
    const deep = (v: unknown): unknown => {
      if (v === null || typeof v !== "object") return v;
      if (moved.has(v)) return moved.get(v);
      let out: unknown;
      if (v instanceof Tensor) out = v.isFreed ? v : copyTensor(v);
      else if (v instanceof Module) out = v.clone();
      else if (Array.isArray(v)) out = v.map(deep);
      else if (v instanceof Map) out = new Map([...v].map(([k, x]) => [k, deep(x)]));
      else if (v instanceof Set) out = new Set([...v].map(deep));
      else if (ArrayBuffer.isView(v)) out = (v as unknown as { slice(): unknown }).slice();
      else if (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
        out = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)]));
      } else return v; // a class instance that is not ours to copy (a config): shared
      moved.set(v, out);
      return out;
    };
    const target = copy as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) {
      const desc = Object.getOwnPropertyDescriptor(this, key)!;
      if (desc.get) continue; // registry fields: bound again below
      if (key === "params") target.params = params;
      else if (key === "buffers") target.buffers = buffers;
      else if (key === "children") target.children = children;
      else Object.defineProperty(copy, key, { ...desc, value: deep(desc.value) });
    }
    for (const name of params.keys()) copy.bindParameter(name);
    for (const name of buffers.keys()) copy.bindBuffer(name);
    for (const name of children.keys()) copy.bindChild(name);
    return copy;
  }

  /** Frees every parameter and buffer (the module cannot be used afterwards). */
  dispose(): void {
    for (const t of this.parameters()) t.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }
}

/**
 * Makes `module`'s parameter `name` the tensor `t` (a tied weight or bias): registers it when
 * the module has none of that name (a Linear built without bias), else replaces the current one.
 */
export function tieParameter(module: Module, name: string, t: Tensor): void {
  if (module.ownParameter(name) === t) return;
  if (module.ownParameterNames().includes(name)) module.setParameter(name, t);
  else module.addParameter(name, t);
}

/** Keys for an error message: the first 8 quoted, then "and N more"; "(none)" when empty. */
export function listKeys(keys: string[]): string {
  if (keys.length === 0) return "(none)";
  const shown = keys.slice(0, 8).map((k) => `"${k}"`).join(", ");
  return keys.length > 8 ? `${shown} and ${keys.length - 8} more` : shown;
}

/** An ordered list of modules whose names are their indices ("0", "1", ...). */
export class ModuleList<M extends Module = Module> extends Module {
  private count = 0;
  constructor(items: M[] = []) {
    super();
    for (const m of items) this.push(m);
  }
  push(m: M): void {
    this.addModule(String(this.count++), m);
  }
  /** The modules in order, read from the registry (a replaced layer shows here at once). */
  get items(): M[] {
    return Array.from({ length: this.count }, (_, i) => this.at(i));
  }
  get length(): number {
    return this.count;
  }
  at(i: number): M {
    return this.child(String(i)) as M;
  }
  [Symbol.iterator](): Iterator<M> {
    return this.items[Symbol.iterator]();
  }
}
