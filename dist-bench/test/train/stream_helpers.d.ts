import { IterableDataset } from "../../src/data/stream.js";
import { LlamaForCausalLM } from "../../src/models/llama/modeling.js";
import { Trainer, type TrainerOptions, type TrainingArgumentsInit } from "../../src/train/index.js";
/** Writes `rows` JSONL lines { id, text }, each text padded to about `chars` characters. */
export declare function writeTextJsonl(file: string, rows: number, chars?: number): void;
/** Characters → ids in [3, 32), cut at maxLength: enough of a tokenizer to learn from. */
export declare function charIds(text: string, maxLength: number): number[];
export declare function streamedDataset(file: string, opts?: {
    maxLength?: number;
    seed?: number;
    buffer_size?: number;
}): IterableDataset;
export declare function tinyLlama(): LlamaForCausalLM;
export declare function streamTrainer(train: IterableDataset, args: TrainingArgumentsInit, extra?: Partial<TrainerOptions>): Trainer;
