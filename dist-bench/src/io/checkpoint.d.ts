import { type RawTensor } from "./safetensors.js";
export interface SafetensorsIndex {
    /** Path of the index file. */
    path: string;
    metadata: Record<string, unknown>;
    /** Tensor name → shard file name (a bare file name in the same folder). */
    weight_map: Record<string, string>;
    /** The distinct shard file names, sorted. */
    files: string[];
}
export declare const SAFE_WEIGHTS_NAME = "model.safetensors";
/** Reads and checks `model.safetensors.index.json` (pass the folder or the index file itself). */
export declare function readSafetensorsIndex(dirOrFile: string, weightsName?: string): SafetensorsIndex;
/** Names of pickle-format weight files in `dir` (which tunelab refuses to load). */
export declare function findPickleWeights(dir: string): string[];
/** The error to throw when only pickle weights exist. */
export declare function pickleRefusal(dir: string, found: string[], expected?: string): Error;
/**
 * All tensors of a checkpoint folder: `<weightsName>` or its shards via the index.
 * Every indexed tensor must be present in its shard, and no tensor may appear in two shards.
 */
/**
 * The safetensors files of a checkpoint folder, without reading them: the single file, or
 * the shards its index lists (each checked to exist). For loaders that stream tensor by tensor.
 */
export declare function checkpointFiles(dir: string, options?: {
    weightsName?: string;
}): string[];
export declare function loadCheckpointTensors(dir: string, options?: {
    weightsName?: string;
}): Map<string, RawTensor>;
/** Parses "5GB" (10^9), "500MiB" (2^20), or a plain byte count, as transformers' max_shard_size does. */
export declare function parseByteSize(size: number | string): number;
/**
 * Writes `tensors` (in their given order) to `dir` as transformers' save_pretrained does:
 * one `model.safetensors` if everything fits in `maxShardBytes`, else shards
 * `model-0000i-of-0000N.safetensors` plus `model.safetensors.index.json`. A tensor larger than
 * the limit gets a shard of its own. Stale shards of an earlier save are removed.
 */
export declare function writeShardedSafetensors(dir: string, tensors: Record<string, RawTensor> | Map<string, RawTensor>, maxShardBytes?: number | string, options?: {
    metadata?: Record<string, string>;
    weightsName?: string;
}): {
    files: string[];
    index: string | null;
};
