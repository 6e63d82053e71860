export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";
/** Bytes per element of each dtype. */
export declare const DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>>;
export declare function isSafetensorsDtype(value: unknown): value is SafetensorsDtype;
