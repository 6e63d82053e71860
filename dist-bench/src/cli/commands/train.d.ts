import { type Output } from "../../pipelines/run.js";
export interface TrainCommandOptions {
    set?: string[];
    resume?: string | boolean;
    quiet?: boolean;
}
export declare function trainCommand(configFile: string, opts: TrainCommandOptions, out?: Output): Promise<Record<string, number>>;
