import { Tensor } from "../tensor/index.js";
import { AdamW, type AdamWOptions } from "./adamw.js";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
/** bitsandbytes' blocksize for 8-bit optimizer state, and the size under which state stays 32-bit. */
export declare const OPTIM_8BIT_BLOCKSIZE = 256;
export declare const MIN_8BIT_SIZE = 4096;
/** A zero-filled state tensor in a shared file mapping (see the file comment). */
export declare function pagedZeros(shape: number[], dtype: "float32" | "uint8"): Tensor;
/** paged_adamw_32bit: AdamW whose moments live in file-backed pageable memory. */
export declare class PagedAdamW extends AdamW {
    constructor(params: ParamsInput, opts?: Partial<AdamWOptions>);
    protected newMoment(shape: number[]): Tensor;
    protected restoreStateTensor(_name: string, v: Tensor, p: Tensor): Tensor;
}
/** adamw_8bit (and paged_adamw_8bit with `paged`). */
export declare class AdamW8bit extends Optimizer<AdamWOptions> {
    private readonly alloc;
    constructor(params: ParamsInput, opts?: Partial<AdamWOptions> & {
        paged?: boolean;
    });
    protected validate(g: ParamGroup & AdamWOptions): void;
    protected groupKeys(): (keyof AdamWOptions & string)[];
    protected requiredStateKeys(): string[];
    protected stateTensorFits(name: string, v: Tensor, p: Tensor): boolean;
    protected restoreStateTensor(name: string, v: Tensor, p: Tensor): Tensor;
    private newState;
    step(gradScale?: number): void;
}
export interface AdafactorOptions {
    lr: number;
    eps: [number, number];
    clip_threshold: number;
    decay_rate: number;
    weight_decay: number;
}
/** Transformers' Adafactor with scale_parameter=False, relative_step=False (what optim: adafactor builds). */
export declare class Adafactor extends Optimizer<AdafactorOptions> {
    constructor(params: ParamsInput, opts?: Partial<AdafactorOptions>);
    protected validate(g: ParamGroup & AdafactorOptions): void;
    protected groupKeys(): (keyof AdafactorOptions & string)[];
    protected stateTensorFits(name: string, v: Tensor, p: Tensor): boolean;
    protected restoreStateTensor(_name: string, v: Tensor): Tensor;
    step(gradScale?: number): void;
}
