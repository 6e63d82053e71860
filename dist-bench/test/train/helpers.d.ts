import { Trainer, type TrainerOptions, type TrainingArgumentsInit } from "../../src/train/index.js";
import { type PreparedTask } from "../../src/pipelines/index.js";
export declare const DEMO_DIR: string;
export declare function tempDir(prefix?: string): string;
export declare function demoTask(): Promise<PreparedTask>;
export declare function demoTrainer(args: TrainingArgumentsInit, extra?: Partial<TrainerOptions>): Promise<Trainer>;
/** The (step, loss) pairs of a log history. */
export declare function losses(history: Record<string, number>[]): [number, number][];
