/**
 * The `tunelab` command: train, eval, predict, pretrain, quickstart. Parses arguments,
 * calls the library, prints; errors print as one message (no stack) with exit code 1, or 2
 * for configuration errors.
 */
import { Command } from "commander";
export declare function buildProgram(): Command;
export declare function main(argv?: string[]): Promise<number>;
