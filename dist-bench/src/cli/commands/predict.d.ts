import { type Output } from "../../pipelines/run.js";
import { DEFAULT_MAX_NEW_TOKENS } from "../../pipelines/predict.js";
export { DEFAULT_MAX_NEW_TOKENS };
export interface PredictCommandOptions {
    set?: string[];
    model?: string;
    input: string;
    output?: string;
    /** Generation tasks: the most tokens to generate per row (default 64). */
    max_new_tokens?: number;
}
export declare function predictCommand(configFile: string, opts: PredictCommandOptions, out?: Output): Promise<string>;
