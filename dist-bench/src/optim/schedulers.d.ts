/**
 * Learning-rate schedules with Hugging Face's get_scheduler semantics
 * (transformers/optimization.py): each schedule is a multiplier lambda(step) applied to
 * every group's initial lr, as torch's LambdaLR does. Construction applies lambda(0);
 * each step() advances by one and applies lambda(step).
 */
import type { ParamGroup } from "./optimizer.js";
export type SchedulerType = "linear" | "cosine" | "cosine_with_restarts" | "polynomial" | "constant" | "constant_with_warmup" | "inverse_sqrt" | "cosine_with_min_lr";
export declare const SCHEDULER_TYPES: readonly SchedulerType[];
export interface SchedulerOptions {
    num_warmup_steps?: number | null;
    num_training_steps?: number | null;
    /** cosine: 0.5 (half a wave, to zero); cosine_with_restarts: 1 (hard restarts). */
    num_cycles?: number;
    /** polynomial: final lr (default 1e-7) and power (default 1). */
    lr_end?: number;
    power?: number;
    /** inverse_sqrt: default num_warmup_steps, or 10000 without warmup. */
    timescale?: number;
    /** cosine_with_min_lr: one of min_lr or min_lr_rate. */
    min_lr?: number;
    min_lr_rate?: number;
    /** HF's way to pass the schedule-specific options; merged with the above. */
    scheduler_specific_kwargs?: Record<string, unknown>;
}
/** What a scheduler needs from an optimizer. */
export interface SchedulableOptimizer {
    paramGroups: ParamGroup[];
    defaults: {
        lr: number;
    };
}
export interface SchedulerStateDict {
    last_epoch: number;
    base_lrs: number[];
    _last_lr: number[];
}
export declare class LambdaLR {
    readonly optimizer: SchedulableOptimizer;
    readonly lrLambda: (step: number) => number;
    lastEpoch: number;
    readonly baseLrs: number[];
    private lastLr;
    constructor(optimizer: SchedulableOptimizer, lrLambda: (step: number) => number);
    /** Advances one step and sets every group's lr. */
    step(): void;
    private apply;
    /** The lr of each group after the latest step (torch's get_last_lr()). */
    getLastLr(): number[];
    stateDict(): SchedulerStateDict;
    loadStateDict(sd: SchedulerStateDict): void;
}
/**
 * HF's get_scheduler(name, optimizer, num_warmup_steps, num_training_steps, ...): a
 * LambdaLR over the optimizer's groups with step(), getLastLr() and stateDict().
 */
export declare function getScheduler(name: SchedulerType | string, optimizer: SchedulableOptimizer, opts?: SchedulerOptions): LambdaLR;
