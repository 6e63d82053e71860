/**
 * What every method shares besides its own layers: `ModuleDict` (PEFT keeps one entry per
 * adapter name, so parameter paths read `lora_A.default.weight`), and `ModulesToSaveWrapper`,
 * PEFT's way to train a whole module (a classifier head) next to an adapter: the original stays
 * frozen under `original_module`, a trainable copy lives under `modules_to_save.<adapter>`.
 */
import { Module } from "../nn/index.js";
import type { Tensor } from "../tensor/index.js";
import type { TunerLayerLike } from "./targets.js";

/** Children keyed by adapter name (torch.nn.ModuleDict). */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly entries = new Map<string, M>();
  /** Adds or replaces entry `name`; a replaced module's tensors are freed. */
  set(name: string, m: M): M {
    const old = this.entries.get(name);
    if (old) this.replaceModule(name, m);
    else this.addModule(name, m);
    this.entries.set(name, m);
    if (old && old !== m) old.dispose();
    return m;
  }
  get(name: string): M | undefined {
    return this.entries.get(name);
  }
  has(name: string): boolean {
    return this.entries.has(name);
  }
  keys(): string[] {
    return [...this.entries.keys()];
  }
  /** Drops an entry (and frees its tensors). */
  delete(name: string): void {
    const m = this.entries.get(name);
    if (!m) return;
    m.dispose();
    this.entries.delete(name);
    (this as unknown as { children: Map<string, Module> }).children.delete(name);
  }
}

/** Parameters keyed by adapter name (torch.nn.ParameterDict): paths read `ia3_l.default`. */
export class ParameterDict extends Module {
  /** Adds or replaces parameter `name`; a replaced tensor is freed. */
  set(name: string, t: Tensor): Tensor {
    const old = this.get(name);
    this.addParameter(name, t);
    if (old && old !== t) old.dispose();
    return t;
  }
  get(name: string): Tensor | undefined {
    return (this as unknown as ModuleInternals).params.get(name) ?? undefined;
  }
  has(name: string): boolean {
    return (this as unknown as ModuleInternals).params.has(name);
  }
  keys(): string[] {
    return [...(this as unknown as ModuleInternals).params.keys()];
  }
  delete(name: string): void {
    const params = (this as unknown as ModuleInternals).params;
    params.get(name)?.dispose();
    params.delete(name);
  }
}

/** One trainable tensor under the name `name` (DoRA's `lora_magnitude_vector.<adapter>.weight`). */
export class ParameterHolder extends Module {
  constructor(name: string, t: Tensor) {
    super();
    this.addParameter(name, t);
  }
}

interface ModuleInternals {
  params: Map<string, Tensor | null>;
  buffers: Map<string, { tensor: Tensor | null; persistent: boolean }>;
  children: Map<string, Module>;
}

/**
 * A deep copy of a module (Python's copy.deepcopy, which PEFT uses for modules_to_save):
 * same class and fields, fresh parameter tensors; fields that pointed at the old
 * parameters or children point at the copies.
 */
export function cloneModule<M extends Module>(m: M): M {
  const src = m as unknown as ModuleInternals;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(m)), m) as M;
  const dst = copy as unknown as ModuleInternals & Record<string, unknown>;
  const moved = new Map<unknown, unknown>();
  dst.params = new Map();
  for (const [k, t] of src.params) {
    const c = t ? t.contiguousCopy().keep() : null;
    if (t && c && t.requiresGrad) c.requiresGrad = true;
    dst.params.set(k, c);
    if (t) moved.set(t, c);
  }
  dst.buffers = new Map();
  for (const [k, b] of src.buffers) {
    const c = b.tensor ? b.tensor.contiguousCopy().keep() : null;
    dst.buffers.set(k, { tensor: c, persistent: b.persistent });
    if (b.tensor) moved.set(b.tensor, c);
  }
  dst.children = new Map();
  for (const [k, ch] of src.children) {
    const c = cloneModule(ch);
    dst.children.set(k, c);
    moved.set(ch, c);
  }
  for (const key of Object.keys(dst)) {
    const v = dst[key];
    if (moved.has(v)) dst[key] = moved.get(v);
    else if (Array.isArray(v) && v.some((x) => moved.has(x))) dst[key] = v.map((x) => (moved.has(x) ? moved.get(x) : x));
  }
  return copy;
}

type Forwardable = Module & { forward(...args: unknown[]): unknown };

export class ModulesToSaveWrapper extends Module implements TunerLayerLike {
  readonly isTunerLayer = true as const;
  readonly original_module: Module;
  readonly modules_to_save: ModuleDict;
  activeAdapter: string;
  disabled = false;

  constructor(original: Module, adapterName: string) {
    super();
    this.original_module = this.addModule("original_module", original);
    this.modules_to_save = this.addModule("modules_to_save", new ModuleDict());
    this.activeAdapter = adapterName;
    this.addAdapter(adapterName);
  }

  get baseLayer(): Module {
    return this.original_module;
  }

  /** A trainable copy of the original for this adapter; the original is frozen. */
  addAdapter(name: string): void {
    if (!this.modules_to_save.has(name)) {
      const copy = cloneModule(this.original_module);
      copy.requiresGrad(true);
      this.modules_to_save.set(name, copy);
    }
    this.original_module.requiresGrad(false);
  }

  setAdapter(names: string[], trainable: boolean): void {
    const name = names.find((n) => this.modules_to_save.has(n));
    if (name === undefined) return;
    this.activeAdapter = name;
    for (const k of this.modules_to_save.keys()) this.modules_to_save.get(k)!.requiresGrad(trainable && k === name);
  }

  deleteAdapter(name: string): void {
    this.modules_to_save.delete(name);
  }

  get active(): Forwardable {
    const m = this.disabled || !this.modules_to_save.has(this.activeAdapter) ? this.original_module : this.modules_to_save.get(this.activeAdapter)!;
    return m as Forwardable;
  }

  forward(...args: unknown[]): unknown {
    return this.active.forward(...args);
  }
}
