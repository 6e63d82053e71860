/**
 * Token classification features: pre-split `tokens` with one tag per word → word pieces
 * whose first piece carries the word's label and the rest -100 (HF's run_ner default; set
 * label_all_tokens to label every piece), special tokens -100, truncated to max_length.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import { z } from "zod";
export declare const tokenClassificationOptionsSchema: z.ZodObject<{
    tokens_column: z.ZodOptional<z.ZodString>;
    tags_column: z.ZodOptional<z.ZodString>;
    label_names: z.ZodOptional<z.ZodArray<z.ZodString>>;
    label_all_tokens: z.ZodOptional<z.ZodBoolean>;
    max_length: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
export type TokenClassificationOptions = z.infer<typeof tokenClassificationOptionsSchema>;
/** Tag names from the training split: "O" first, then by entity type, B- before I-. */
export declare function buildTagList(train: Dataset, opts?: TokenClassificationOptions): string[];
export declare function encodeTokenClassification(ds: Dataset, tokenizer: PreTrainedTokenizer, tagList: string[], opts: TokenClassificationOptions, log: BadRowLog): Dataset;
