/**
 * Module: named parameters, buffers and children whose dotted paths are the Hugging Face
 * state-dict keys (`encoder.layer.0.attention.self.query.weight`), so checkpoints load by
 * name with no mapping table. Children and parameters are registered explicitly
 * (`this.query = this.addModule("query", new Linear(...))`): the registered name is the
 * checkpoint key, whatever the TypeScript field is called.
 */
import { Tensor } from "../tensor/index.js";
export type StateDict = Map<string, Tensor>;
export interface LoadResult {
    missingKeys: string[];
    unexpectedKeys: string[];
}
export declare class Module {
    training: boolean;
    private readonly params;
    private readonly buffers;
    private readonly children;
    /** Registers (or replaces) a parameter under `name`. It becomes persistent (never freed by a scope). */
    addParameter(name: string, t: Tensor | null, requiresGrad?: boolean): Tensor;
    /** A non-trainable tensor (e.g. position ids); persistent ones are part of the state dict. */
    addBuffer(name: string, t: Tensor | null, persistent?: boolean): Tensor;
    addModule<M extends Module>(name: string, m: M): M;
    param(name: string): Tensor;
    private noParameter;
    /** Replaces a registered parameter's tensor (disposing the old one). */
    setParameter(name: string, t: Tensor): void;
    /** Fields that held `from` (this.weight, this.query, items[i]) now hold `to`. */
    private repointFields;
    buffer(name: string): Tensor | null;
    child(name: string): Module | undefined;
    namedChildren(): Generator<[string, Module]>;
    /** Replaces a child (PEFT swaps a Linear for its LoRA wrapper this way). */
    replaceModule(name: string, m: Module): void;
    namedModules(prefix?: string): Generator<[string, Module]>;
    namedParameters(prefix?: string): Generator<[string, Tensor]>;
    parameters(): Tensor[];
    trainableParameters(): Tensor[];
    namedBuffers(prefix?: string): Generator<[string, Tensor, boolean]>;
    getSubmodule(path: string): Module;
    /** Parameters and persistent buffers by full key; tied tensors appear under every name. */
    stateDict(): StateDict;
    /**
     * Loads tensors by key, replacing parameters (shapes must match; dtype may differ: the
     * tensor is converted to the parameter's dtype unless `keepDtype`). Returns the keys
     * that were missing or unexpected; with strict, any mismatch throws listing them.
     */
    loadStateDict(state: Map<string, Tensor> | Record<string, Tensor>, opts?: {
        strict?: boolean;
        keepDtype?: boolean;
    }): LoadResult;
    train(mode?: boolean): this;
    eval(): this;
    /** Sets requiresGrad on every float32 parameter (freeze with false). */
    requiresGrad(flag: boolean): this;
    numParameters(onlyTrainable?: boolean): number;
    /** Frees every parameter and buffer (the module cannot be used afterwards). */
    dispose(): void;
}
/** Keys for an error message: the first 8 quoted, then "and N more"; "(none)" when empty. */
export declare function listKeys(keys: string[]): string;
/** An ordered list of modules whose names are their indices ("0", "1", ...). */
export declare class ModuleList<M extends Module = Module> extends Module {
    readonly items: M[];
    constructor(items?: M[]);
    push(m: M): void;
    get length(): number;
    at(i: number): M;
    [Symbol.iterator](): Iterator<M>;
}
