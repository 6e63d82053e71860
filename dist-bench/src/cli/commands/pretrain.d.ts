import { type Output } from "../../pipelines/run.js";
export interface PretrainCommandOptions {
    set?: string[];
    resume?: string | boolean;
    quiet?: boolean;
}
export declare function pretrainCommand(configFile: string, opts: PretrainCommandOptions, out?: Output): Promise<Record<string, number>>;
