/**
 * Sequence-to-sequence features (T5-style): `source` → input_ids/attention_mask (with an
 * optional task prefix such as "summarize: "), `target` → labels; the model builds
 * decoder_input_ids by shifting the labels right, as HF's models do.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset, type Row } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import { z } from "zod";
import { asText, column, positiveInt } from "./options.js";

export const seq2seqOptionsSchema = z.strictObject({
  source_column: column().optional(),
  target_column: column().optional(),
  /** Prepended to every source ("summarize: "), as HF's run_summarization. */
  source_prefix: z.string({ error: "a string" }).optional(),
  max_source_length: positiveInt().optional(),
  max_target_length: positiveInt().optional(),
});
export type Seq2SeqOptions = z.infer<typeof seq2seqOptionsSchema>;

export function encodeSeq2Seq(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: Seq2SeqOptions, log: BadRowLog): Dataset {
  const srcCol = opts.source_column ?? "source";
  const tgtCol = opts.target_column ?? "target";
  const rows: Row[] = [];
  const sources = [];
  for (let i = 0; i < ds.length; i++) {
    const r = ds.rows[i];
    const source = asText(r[srcCol]);
    const target = asText(r[tgtCol]);
    if (typeof source !== "string" || !source.trim()) { log.add(ds.sources[i], `missing or empty "${srcCol}"`); continue; }
    const out: Row = encodeSource(source, tokenizer, opts);
    if (target !== undefined) {
      if (typeof target !== "string" || !target.trim()) { log.add(ds.sources[i], `empty "${tgtCol}"`); continue; }
      out.labels = tokenizer.call(target, { truncation: true, max_length: opts.max_target_length ?? 128 }).input_ids[0];
    }
    rows.push(out);
    sources.push(ds.sources[i]);
  }
  return new Dataset(rows, sources);
}

function encodeSource(source: string, tokenizer: PreTrainedTokenizer, opts: Seq2SeqOptions): Row {
  const enc = tokenizer.call((opts.source_prefix ?? "") + source, { truncation: true, max_length: opts.max_source_length ?? 512 });
  return { input_ids: enc.input_ids[0], attention_mask: enc.attention_mask?.[0] };
}

/** The encoder's input ids for generation, encoded as training encodes `source`; a string explains a bad row. */
export function seq2seqSourceIds(row: Row, tokenizer: PreTrainedTokenizer, opts: Seq2SeqOptions = {}): number[] | string {
  const col = opts.source_column ?? "source";
  const source = asText(row[col]);
  if (typeof source !== "string" || !source.trim()) return `missing or empty "${col}"`;
  return encodeSource(source, tokenizer, opts).input_ids as number[];
}
