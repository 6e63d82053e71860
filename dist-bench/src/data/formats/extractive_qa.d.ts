/**
 * Extractive QA features (SQuAD layout: `question`, `context`, `answers` = { text: [...],
 * answer_start: [...] }): [CLS] question [SEP] context [SEP] with the context truncated to
 * fit max_length, start_positions/end_positions at the answer's first and last token (0, the
 * [CLS] position, when the answer was cut off, as HF's run_qa does), and each token's
 * character span kept for turning predicted spans back into text.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import { z } from "zod";
export declare const extractiveQaOptionsSchema: z.ZodObject<{
    question_column: z.ZodOptional<z.ZodString>;
    context_column: z.ZodOptional<z.ZodString>;
    answers_column: z.ZodOptional<z.ZodString>;
    max_length: z.ZodOptional<z.ZodNumber>;
    max_answer_length: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
export type ExtractiveQaOptions = z.infer<typeof extractiveQaOptionsSchema>;
export declare function encodeExtractiveQa(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: ExtractiveQaOptions, log: BadRowLog): Dataset;
