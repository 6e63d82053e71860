import { type ChildProcess } from "node:child_process";
export declare const BIN: string;
export declare const DEMO_DIR: string;
export interface CliResult {
    status: number | null;
    stdout: string;
    stderr: string;
    output: string;
}
export declare function tunelab(args: string[], opts?: {
    cwd?: string;
}): CliResult;
export declare function tunelabAsync(args: string[]): ChildProcess;
export declare function tempDir(prefix?: string): string;
/** Writes a YAML config into dir and returns its path. */
export declare function writeConfig(dir: string, config: Record<string, unknown>, name?: string): string;
/** A fast classification config on the shipped demo model and data. */
export declare function demoConfig(outputDir: string, training?: Record<string, unknown>): Record<string, unknown>;
export declare function readJson<T = Record<string, unknown>>(file: string): T;
