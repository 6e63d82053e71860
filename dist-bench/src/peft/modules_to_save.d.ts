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
export declare class ModuleDict<M extends Module = Module> extends Module {
    private readonly entries;
    /** Adds or replaces entry `name`; a replaced module's tensors are freed. */
    set(name: string, m: M): M;
    get(name: string): M | undefined;
    has(name: string): boolean;
    keys(): string[];
    /** Drops an entry (and frees its tensors). */
    delete(name: string): void;
}
/** Parameters keyed by adapter name (torch.nn.ParameterDict): paths read `ia3_l.default`. */
export declare class ParameterDict extends Module {
    /** Adds or replaces parameter `name`; a replaced tensor is freed. */
    set(name: string, t: Tensor): Tensor;
    get(name: string): Tensor | undefined;
    has(name: string): boolean;
    keys(): string[];
    delete(name: string): void;
}
/** One trainable tensor under the name `name` (DoRA's `lora_magnitude_vector.<adapter>.weight`). */
export declare class ParameterHolder extends Module {
    constructor(name: string, t: Tensor);
}
/**
 * A deep copy of a module (Python's copy.deepcopy, which PEFT uses for modules_to_save):
 * same class and fields, fresh parameter tensors; fields that pointed at the old
 * parameters or children point at the copies.
 */
export declare function cloneModule<M extends Module>(m: M): M;
type Forwardable = Module & {
    forward(...args: unknown[]): unknown;
};
export declare class ModulesToSaveWrapper extends Module implements TunerLayerLike {
    readonly isTunerLayer: true;
    readonly original_module: Module;
    readonly modules_to_save: ModuleDict;
    activeAdapter: string;
    disabled: boolean;
    constructor(original: Module, adapterName: string);
    get baseLayer(): Module;
    /** A trainable copy of the original for this adapter; the original is frozen. */
    addAdapter(name: string): void;
    setAdapter(names: string[], trainable: boolean): void;
    deleteAdapter(name: string): void;
    get active(): Forwardable;
    forward(...args: unknown[]): unknown;
}
export {};
