/** Element types. The numeric codes are shared with native/kernels.h (DType): only append. */
export type DType = "float32" | "bfloat16" | "float16" | "int32" | "uint8";
export type TypedArrayFor<D extends DType> = D extends "float32" ? Float32Array : D extends "int32" ? Int32Array : D extends "uint8" ? Uint8Array : Uint16Array;
export type AnyTypedArray = Float32Array | Int32Array | Uint8Array | Uint16Array;
export declare const DTYPE_CODE: Record<DType, number>;
export declare const DTYPE_BYTES: Record<DType, number>;
export declare const DTYPES: readonly DType[];
export declare function isFloatingDtype(d: DType): boolean;
/** Accepts PyTorch spellings too ("float", "bf16", "torch.float16"). */
export declare function parseDtype(name: string): DType;
export declare function typedArrayConstructor(d: DType): Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor;
/** bfloat16 bits -> number. */
export declare function bf16ToNumber(bits: number): number;
/** number -> bfloat16 bits, round to nearest even (NaN stays NaN). */
export declare function numberToBf16(x: number): number;
/** float16 bits -> number. */
export declare function f16ToNumber(h: number): number;
