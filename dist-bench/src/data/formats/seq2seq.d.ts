/**
 * Sequence-to-sequence features (T5-style): `source` → input_ids/attention_mask (with an
 * optional task prefix such as "summarize: "), `target` → labels; the model builds
 * decoder_input_ids by shifting the labels right, as HF's models do.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset, type Row } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import { z } from "zod";
export declare const seq2seqOptionsSchema: z.ZodObject<{
    source_column: z.ZodOptional<z.ZodString>;
    target_column: z.ZodOptional<z.ZodString>;
    source_prefix: z.ZodOptional<z.ZodString>;
    max_source_length: z.ZodOptional<z.ZodNumber>;
    max_target_length: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
export type Seq2SeqOptions = z.infer<typeof seq2seqOptionsSchema>;
export declare function encodeSeq2Seq(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: Seq2SeqOptions, log: BadRowLog): Dataset;
/** The encoder's input ids for generation, encoded as training encodes `source`; a string explains a bad row. */
export declare function seq2seqSourceIds(row: Row, tokenizer: PreTrainedTokenizer, opts?: Seq2SeqOptions): number[] | string;
