import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.js";
export interface SGDOptions {
    lr: number;
    momentum: number;
    dampening: number;
    weight_decay: number;
    nesterov: boolean;
}
export declare class SGD extends Optimizer<SGDOptions> {
    constructor(params: ParamsInput, opts?: Partial<SGDOptions>);
    protected validate(g: ParamGroup & SGDOptions): void;
    protected groupKeys(): (keyof SGDOptions & string)[];
    step(): void;
}
