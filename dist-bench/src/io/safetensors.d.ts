import { DTYPE_SIZE, isSafetensorsDtype, type SafetensorsDtype } from "./dtypes.js";
export { DTYPE_SIZE, isSafetensorsDtype, type SafetensorsDtype };
export interface RawTensor {
    dtype: SafetensorsDtype;
    shape: number[];
    /** Little-endian bytes; a view into the source buffer when read from a Buffer. */
    data: Uint8Array;
}
export interface SafetensorsFile {
    metadata: Record<string, string> | null;
    tensors: Map<string, RawTensor>;
}
/** Same cap as the reference implementation (safetensors' MAX_HEADER_SIZE). */
export declare const MAX_HEADER_BYTES = 100000000;
/**
 * Most tensors one file may list. Real checkpoints hold a few thousand per shard; the cap stops
 * a hostile header (a million zero-size tensors fit in 100 MB) before it costs minutes and GBs.
 */
export declare const MAX_TENSORS = 200000;
/** Number of elements of `shape`; throws on negative, fractional or overflowing sizes. */
export declare function numelOf(shape: readonly number[], where?: string): number;
/**
 * Reads a safetensors file (path) or buffer. From a path, each tensor gets its own freshly
 * allocated (hence aligned) buffer; from a buffer, tensors are views into it.
 */
export declare function readSafetensors(source: string | Uint8Array, options?: {
    name?: string;
}): SafetensorsFile;
/** Reads only the header: tensor names, dtypes and shapes, without loading data. */
export declare function readSafetensorsHeader(file: string): {
    metadata: Record<string, string> | null;
    tensors: Map<string, {
        dtype: SafetensorsDtype;
        shape: number[];
        byteLength: number;
    }>;
};
/**
 * Calls fn(name, raw) for every tensor of the file, one tensor in memory at a time (each
 * freshly allocated and dropped after fn returns): a quantizing loader's peak is then the
 * final model plus the largest tensor. `want` filters names before any byte is read.
 */
export declare function forEachSafetensor(file: string, fn: (name: string, raw: RawTensor) => void, want?: (name: string) => boolean): void;
/** The bytes of a safetensors file: header JSON padded with spaces to a multiple of 8, then the data. */
export declare function serializeSafetensors(tensors: Record<string, RawTensor> | Map<string, RawTensor>, metadata?: Record<string, string> | null): Uint8Array[];
/** Writes a safetensors file atomically (temporary file, fsync, rename). */
export declare function writeSafetensors(file: string, tensors: Record<string, RawTensor> | Map<string, RawTensor>, metadata?: Record<string, string> | null): void;
export { rawToFloat32, rawToInt32, float32ToRaw } from "./safetensors_convert.js";
export { readSafetensorsIndex, loadCheckpointTensors, writeShardedSafetensors, checkpointFiles } from "./checkpoint.js";
export type { SafetensorsIndex } from "./checkpoint.js";
