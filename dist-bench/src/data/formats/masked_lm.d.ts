/**
 * Masked-LM pretraining text: tokenized with special tokens; with packing (default) the
 * token stream is regrouped into blocks of max_length, each framed by [CLS] … [SEP], as
 * HF's run_mlm group_texts does. The masking itself happens in the collator, per batch.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset } from "../dataset.js";
import type { BadRowLog } from "../bad_rows.js";
import { z } from "zod";
export declare const maskedLmOptionsSchema: z.ZodObject<{
    text_column: z.ZodOptional<z.ZodString>;
    max_length: z.ZodOptional<z.ZodNumber>;
    mlm_probability: z.ZodOptional<z.ZodNumber>;
    packing: z.ZodOptional<z.ZodBoolean>;
}, z.core.$strict>;
export type MaskedLmOptions = z.infer<typeof maskedLmOptionsSchema>;
export declare function encodeMaskedLm(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: MaskedLmOptions, log: BadRowLog): Dataset;
export declare function maskedLmMaxLength(tokenizer: PreTrainedTokenizer, opts: MaskedLmOptions): number;
