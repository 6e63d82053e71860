import { type Output } from "../../pipelines/run.js";
export declare const DEMO_DIR: string;
export interface QuickstartOptions {
    output_dir?: string;
    quiet?: boolean;
    num_train_epochs?: number;
}
export interface QuickstartResult {
    before: number;
    after: number;
    scratch: number;
    runDir: string;
}
export declare function quickstartConfig(runDir: string, sub: string, epochs: number): Record<string, unknown>;
export declare function quickstartCommand(opts?: QuickstartOptions, out?: Output): Promise<QuickstartResult>;
