/**
 * Sequence classification features: `text` (and optional `text_pair`) → input_ids,
 * attention_mask (token_type_ids when the tokenizer makes them) and `labels`:
 * - single_label_classification: a label name or id → class id;
 * - multi_label_classification: a list of names/ids → multi-hot floats;
 * - regression: a number (or list of numbers) → floats.
 * The label map is built from the training split and written to the model config as
 * id2label/label2id; a label another split has but training lacks is a bad row.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import type { ProblemType } from "../../models/loss_utils.js";
import { z } from "zod";
export type { ProblemType };
export declare const classificationOptionsSchema: z.ZodObject<{
    text_column: z.ZodOptional<z.ZodString>;
    text_pair_column: z.ZodOptional<z.ZodNullable<z.ZodString>>;
    label_column: z.ZodOptional<z.ZodString>;
    problem_type: z.ZodOptional<z.ZodEnum<{
        regression: "regression";
        single_label_classification: "single_label_classification";
        multi_label_classification: "multi_label_classification";
    }>>;
    label_names: z.ZodOptional<z.ZodArray<z.ZodString>>;
    max_length: z.ZodOptional<z.ZodNumber>;
}, z.core.$strict>;
export type ClassificationOptions = z.infer<typeof classificationOptionsSchema> & {
    problem_type?: ProblemType;
};
export interface LabelMap {
    id2label: Record<string, string>;
    label2id: Record<string, number>;
    num_labels: number;
    problem_type: ProblemType;
}
/** Builds id2label/label2id from the training rows (sorted names, or ids 0..max). */
export declare function buildLabelMap(train: Dataset, opts?: ClassificationOptions): LabelMap;
export declare function encodeClassification(ds: Dataset, tokenizer: PreTrainedTokenizer, map: LabelMap, opts: ClassificationOptions, log: BadRowLog): Dataset;
