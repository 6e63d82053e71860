/**
 * Masked-LM pretraining text: tokenized with special tokens; with packing (default) the
 * token stream is regrouped into blocks of max_length, each framed by [CLS] … [SEP], as
 * HF's run_mlm group_texts does. The masking itself happens in the collator, per batch.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset, type Row } from "../dataset.js";
import type { BadRowLog } from "../bad_rows.js";
import { z } from "zod";
import { asText, column, flag, positiveInt } from "./options.js";

export const maskedLmOptionsSchema = z.strictObject({
  text_column: column().optional(),
  max_length: positiveInt().optional(),
  mlm_probability: z.number({ error: "in (0, 1)" }).gt(0, { error: "in (0, 1)" }).lt(1, { error: "in (0, 1)" }).optional(),
  packing: flag().optional(),
});
export type MaskedLmOptions = z.infer<typeof maskedLmOptionsSchema>;

export function encodeMaskedLm(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: MaskedLmOptions, log: BadRowLog): Dataset {
  const textCol = opts.text_column ?? "text";
  const maxLength = maskedLmMaxLength(tokenizer, opts);
  const packing = opts.packing !== false;
  const rows: Row[] = [];
  const bodies: number[][] = [];
  for (let i = 0; i < ds.length; i++) {
    const text = asText(ds.rows[i][textCol]);
    if (typeof text !== "string" || !text.trim()) { log.add(ds.sources[i], `missing or empty "${textCol}"`); continue; }
    if (packing) bodies.push(tokenizer.encode(text, { add_special_tokens: false }));
    else rows.push({ input_ids: tokenizer.encode(text, { truncation: true, max_length: maxLength }) });
  }
  if (!packing) return new Dataset(rows);
  const cls = tokenizer.cls_token_id ?? tokenizer.bos_token_id;
  const sep = tokenizer.sep_token_id ?? tokenizer.eos_token_id;
  const frame = (cls !== null ? 1 : 0) + (sep !== null ? 1 : 0);
  const block = maxLength - frame;
  const stream = bodies.flat();
  for (let s = 0; s < stream.length; s += block) {
    const ids = stream.slice(s, s + block);
    rows.push({ input_ids: [...(cls !== null ? [cls] : []), ...ids, ...(sep !== null ? [sep] : [])] });
  }
  return new Dataset(rows);
}

export function maskedLmMaxLength(tokenizer: PreTrainedTokenizer, opts: MaskedLmOptions): number {
  return Number(opts.max_length ?? Math.min(tokenizer.model_max_length, 128));
}
