/** Bridge between safetensors' raw bytes and Tensors (and back). */
import { Tensor } from "../tensor/index.js";
import { type RawTensor } from "./safetensors.js";
export interface ToTensorOptions {
    /** Keep 16-bit floats as they are (bfloat16/float16) instead of converting to float32. */
    keep16bit?: boolean;
}
/** A Tensor holding a copy of the raw tensor's values (floats as float32, integers as int32). */
export declare function rawToTensor(raw: RawTensor, name?: string, opts?: ToTensorOptions): Tensor;
/** The tensor's bytes in safetensors form (a copy when it is not contiguous). */
export declare function tensorToRaw(t: Tensor): RawTensor;
/** Every tensor of a safetensors file, as Tensors. */
export declare function loadTensors(file: string, opts?: ToTensorOptions): Map<string, Tensor>;
/** Writes tensors to a safetensors file atomically. */
export declare function saveTensors(file: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata?: Record<string, string> | null): void;
