/**
 * A strict JSON parser for headers of untrusted binary files (safetensors). It refuses what
 * JSON.parse lets through but the reference reader (Rust's serde_json) does not: duplicate keys
 * (JSON.parse keeps the last silently), lone UTF-16 surrogates in \u escapes, and a number with
 * a fraction or exponent where an integer is meant (`1.0`; JSON.parse turns it into 1). Nesting
 * is bounded (serde_json's recursion limit is 128) and so is the number of keys per object, so a
 * hostile header cannot exhaust the stack or the heap.
 */
export declare class StrictJsonError extends Error {
}
export interface StrictJsonLimits {
    /** Most keys in one object (the top level of a safetensors header: its tensor count + 1). */
    maxKeys: number;
    /** Deepest nesting of objects and arrays. */
    maxDepth: number;
}
/** Parses `text`; every number must be an integer literal (no fraction, no exponent). */
export declare function parseStrictJson(text: string, limits: StrictJsonLimits): unknown;
