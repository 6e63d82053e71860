/**
 * Collators turn a list of feature rows into one batch of tensors with dynamic padding
 * (to the longest row, or a multiple of pad_to_multiple_of), as HF's DataCollatorWithPadding,
 * DataCollatorForTokenClassification, DataCollatorForSeq2Seq and
 * DataCollatorForLanguageModeling do. Collators run inside the trainer's step scope, so
 * the tensors they make are freed with the step. Randomness (MLM masking) comes from the
 * `rng` the caller passes, so a resumed run masks exactly as the uninterrupted one.
 */
import { Tensor } from "../tensor/index.js";
import { SeededRandom } from "../tensor/random.js";
import type { Row } from "./dataset.js";
export type TensorBatch = Record<string, Tensor>;
export interface CollateContext {
    rng?: SeededRandom;
}
export type DataCollator = (features: Row[], ctx?: CollateContext) => TensorBatch;
export interface PaddingOptions {
    pad_token_id?: number | null;
    padding_side?: "left" | "right";
    /** Truncate rows to this many tokens (after tokenization); null keeps them whole. */
    max_length?: number | null;
    pad_to_multiple_of?: number | null;
    label_pad_token_id?: number;
    /** Force float labels (regression, multi-label); default: inferred from the values. */
    float_labels?: boolean;
}
export declare function padSequences(seqs: number[][], value: number, length: number, side: "left" | "right"): number[];
/**
 * Pads every per-token column; labels that are per-token (token classification, causal LM)
 * are padded with -100; class ids stay (B) int32; float or multi-hot labels become (B) or
 * (B, num_labels) float32. Columns that are not model inputs (spans, word ids, text) are left out.
 */
export declare class DataCollatorWithPadding {
    readonly opts: PaddingOptions;
    constructor(opts?: PaddingOptions);
    readonly collate: DataCollator;
    call(features: Row[]): TensorBatch;
    protected padId(): number;
    /** Lists as long as each row's input_ids, holding integers: token classification or LM labels. */
    protected labelsArePerToken(labels: unknown[], ids: number[][]): boolean;
    /** Class ids (B) int32, regression targets (B) float32, or multi-hot / multi-target rows (B, W) float32. */
    protected labelTensor(labels: unknown[]): Tensor;
}
/**
 * Seq2seq: inputs padded as usual, labels padded separately with -100 to their own longest
 * length (HF's DataCollatorForSeq2Seq).
 */
export declare class DataCollatorForSeq2Seq extends DataCollatorWithPadding {
    call(features: Row[]): TensorBatch;
}
export interface LanguageModelingOptions extends PaddingOptions {
    /** Masked-LM (BERT) when true; causal LM (labels = input_ids, padding -100) when false. */
    mlm?: boolean;
    mlm_probability?: number;
    mask_token_id?: number | null;
    vocab_size?: number;
    /** Ids never masked (CLS, SEP, PAD...). */
    special_ids?: number[];
}
/** HF's DataCollatorForLanguageModeling: 80% [MASK], 10% random token, 10% unchanged. */
export declare class DataCollatorForLanguageModeling extends DataCollatorWithPadding {
    readonly lmOpts: LanguageModelingOptions;
    constructor(lmOpts: LanguageModelingOptions);
    readonly collate: DataCollator;
    callLm(features: Row[], rng?: SeededRandom): TensorBatch;
}
