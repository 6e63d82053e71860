/**
 * Causal-LM and instruction-tuning features, in the three shapes TRL's SFTTrainer accepts:
 * - `text`: the whole text is learned;
 * - `prompt` + `completion`: the loss covers only the completion (and EOS) unless
 *   completion_only_loss is false;
 * - `messages` (chat): rendered with the tokenizer's chat template; the loss covers only the
 *   assistant turns unless assistant_only_loss is false.
 * Labels equal input_ids with -100 where no loss is wanted (the model shifts them). With
 * packing, examples are concatenated and cut into max_length blocks.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset, type Row } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import { IterableDataset } from "../stream.js";
import { z } from "zod";
export declare const causalLmOptionsSchema: z.ZodObject<{
    text_column: z.ZodOptional<z.ZodString>;
    prompt_column: z.ZodOptional<z.ZodString>;
    completion_column: z.ZodOptional<z.ZodString>;
    messages_column: z.ZodOptional<z.ZodString>;
    completion_only_loss: z.ZodOptional<z.ZodBoolean>;
    assistant_only_loss: z.ZodOptional<z.ZodBoolean>;
    max_length: z.ZodOptional<z.ZodNumber>;
    packing: z.ZodOptional<z.ZodBoolean>;
    add_eos_token: z.ZodOptional<z.ZodBoolean>;
}, z.core.$strict>;
export type CausalLmOptions = z.infer<typeof causalLmOptionsSchema>;
export declare function encodeCausalLm(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: CausalLmOptions, log: BadRowLog): Dataset;
/**
 * The ids generation continues from, encoded as training encodes the context: a `prompt`
 * (or, without one, the `text`) with the tokenizer's leading specials and no trailing EOS;
 * `messages` rendered with the chat template's generation prompt. A string explains a bad row.
 */
export declare function causalLmPromptIds(row: Row, tokenizer: PreTrainedTokenizer, opts?: CausalLmOptions): number[] | string;
/**
 * Concatenates examples and cuts blocks of max_length (the last, shorter block is kept).
 * Each example already ends with EOS (add_eos_token), so documents stay separated; labels
 * follow the ids (equal to them for plain text, -100 over prompts when masked).
 */
export declare function pack(ds: Dataset, maxLength: number): Dataset;
/** pack() for a stream: the same blocks, cut as examples arrive, holding at most one block. */
export declare function packStream(ds: IterableDataset, maxLength: number): IterableDataset;
