/**
 * The checkpoint layout Transformers + bitsandbytes write for a 4-bit weight (QuantState.
 * as_dict(packed=True) under the module's `weight.` prefix):
 *
 *   weight                                  U8  [ceil(n/2), 1]  packed codes
 *   weight.absmax                           F32 [blocks], or U8 when double-quantized
 *   weight.quant_map                        F32 [16]
 *   weight.nested_absmax                    F32 [ceil(blocks/256)]   (double quant only)
 *   weight.nested_quant_map                 F32 [256]                (double quant only)
 *   weight.quant_state.bitsandbytes__nf4    U8  JSON of the non-tensor fields
 *
 * Files are untrusted: every field and length is checked before use, errors name the key.
 */
import { QuantState, type QuantType4bit } from "./functional.js";
/** A tensor's bytes as the serializer sees them (the io layer's RawTensor shape). */
export interface QuantRaw {
    dtype: "U8" | "F32";
    shape: number[];
    data: Uint8Array;
}
/** Key suffixes (after "weight.") a 4-bit weight may have. */
export declare const QUANT_STATE_SUFFIXES: string[];
/** Python's repr() of a float, as json.dumps writes it (1e-05, 0.5, 1.0, 1e+16). */
export declare function pythonFloat(x: number): string;
/** The key suffix → tensor map of one 4-bit weight, keys relative to the module ("weight", "weight.absmax", ...). */
export declare function quantStateToDict(packed: Uint8Array, state: QuantState): Map<string, QuantRaw>;
/**
 * Rebuilds [packed, state] from one weight's entries (keys relative to the module, as
 * quantStateToDict writes them). `where` names the module in errors.
 */
export declare function quantStateFromDict(entries: Map<string, QuantRaw>, where: string): {
    packed: Uint8Array;
    state: QuantState;
};
export type { QuantType4bit };
