/**
 * The Optimizer base, after torch.optim.Optimizer: parameter groups whose hyper-parameters
 * (lr first) schedulers may change between steps, per-parameter state, zeroGrad, and a
 * state dict of plain tensors plus JSON-able numbers (torch's layout: `state` keyed by the
 * parameter's index across groups, `param_groups` listing those indices).
 */
import { Tensor } from "../tensor/index.js";
/** Hyper-parameters of one group; the optimizer's own keys are added by subclasses. */
export interface ParamGroup {
    params: Tensor[];
    lr: number;
    /** The lr a scheduler started from (torch's initial_lr). */
    initial_lr?: number;
    [key: string]: unknown;
}
/** What a constructor accepts: a list of tensors, or groups with per-group overrides. */
export type ParamsInput = Tensor[] | ({
    params: Tensor[];
} & Record<string, unknown>)[];
export interface OptimizerStateDict {
    state: Record<string, Record<string, Tensor | number>>;
    param_groups: (Record<string, unknown> & {
        params: number[];
    })[];
}
export declare abstract class Optimizer<Defaults extends {
    lr: number;
}> {
    protected readonly where: string;
    readonly paramGroups: (ParamGroup & Defaults)[];
    readonly defaults: Defaults;
    protected state: Map<Tensor, Record<string, number | Tensor>>;
    constructor(params: ParamsInput, defaults: Defaults, where: string);
    /** Checks one group's hyper-parameters (throws naming the bad key). */
    protected abstract validate(group: ParamGroup & Defaults): void;
    /** Keys saved per group besides params (torch's group hyper-parameters). */
    protected abstract groupKeys(): (keyof Defaults & string)[];
    abstract step(): void;
    /** State entries every parameter with state must have (checked when loading a state dict). */
    protected requiredStateKeys(): string[];
    /** Whether a loaded state tensor fits its parameter (default: one value per element). */
    protected stateTensorFits(_name: string, v: Tensor, p: Tensor): boolean;
    /** The optimizer's own copy of a loaded state tensor (default: float32, the parameter's shape). */
    protected restoreStateTensor(_name: string, v: Tensor, p: Tensor): Tensor;
    /** Frees every parameter's gradient (torch's zero_grad(set_to_none=True)). */
    zeroGrad(): void;
    /** Frees every state tensor (moments, momentum buffers); the optimizer must not be stepped afterwards. */
    dispose(): void;
    private clearState;
    /** All parameters, in group order (the indices of the state dict). */
    protected allParams(): Tensor[];
    /** Plain tensors (shared with the optimizer: copy them to keep a snapshot) and numbers. */
    stateDict(): OptimizerStateDict;
    /** Restores hyper-parameters and copies state tensors in (shapes must match the parameters). */
    loadStateDict(sd: OptimizerStateDict): void;
}
export declare function checkNumber(where: string, key: string, v: unknown, ok: (x: number) => boolean, rule: string): void;
