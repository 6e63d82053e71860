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
    if (!this.entries.has(name)) return;
    this.removeModule(name).dispose();
    this.entries.delete(name);
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
    return this.ownParameter(name);
  }
  has(name: string): boolean {
    return this.ownParameterNames().includes(name);
  }
  keys(): string[] {
    return this.ownParameterNames();
  }
  delete(name: string): void {
    if (this.has(name)) this.removeParameter(name)?.dispose();
  }
}

/** One trainable tensor under the name `name` (DoRA's `lora_magnitude_vector.<adapter>.weight`). */
export class ParameterHolder extends Module {
  constructor(name: string, t: Tensor) {
    super();
    this.addParameter(name, t);
  }
}

/** A module with a forward of any signature (a head, a Linear, an embedding). */
export type Forwardable = Module & { forward(...args: never[]): unknown };

/**
 * Stands in a slot for the module it wraps, with that module's forward signature, so the
 * slot's declared type (LinearLike, EmbeddingLike) stays true after the swap.
 */
export class ModulesToSaveWrapper<M extends Forwardable = Forwardable> extends Module implements TunerLayerLike {
  readonly isTunerLayer = true as const;
  readonly original_module: M;
  readonly modules_to_save: ModuleDict<M>;
  activeAdapter: string;
  disabled = false;

  constructor(original: M, adapterName: string) {
    super();
    this.original_module = this.addModule("original_module", original);
    this.modules_to_save = this.addModule("modules_to_save", new ModuleDict<M>());
    this.activeAdapter = adapterName;
    this.addAdapter(adapterName);
  }

  get baseLayer(): Module {
    return this.original_module;
  }

  /** A trainable copy of the original for this adapter; the original is frozen. */
  addAdapter(name: string): void {
    if (!this.modules_to_save.has(name)) {
      const copy = this.original_module.clone();
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

  get active(): M {
    return this.disabled || !this.modules_to_save.has(this.activeAdapter) ? this.original_module : this.modules_to_save.get(this.activeAdapter)!;
  }

  forward(...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    return this.active.forward(...args) as ReturnType<M["forward"]>;
  }
}
