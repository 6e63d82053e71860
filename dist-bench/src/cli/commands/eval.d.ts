import { type Output } from "../../pipelines/run.js";
export interface EvalCommandOptions {
    set?: string[];
    model?: string;
    split?: string;
}
export declare function evalCommand(configFile: string, opts: EvalCommandOptions, out?: Output): Promise<Record<string, number>>;
