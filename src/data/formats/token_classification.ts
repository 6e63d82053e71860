/**
 * Token classification features: pre-split `tokens` with one tag per word → word pieces
 * whose first piece carries the word's label and the rest -100 (HF's run_ner default; set
 * label_all_tokens to label every piece), special tokens -100, truncated to max_length.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset, type Row } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import { specialFrame, WordEncoder } from "../word_alignment.js";
import { z } from "zod";
import { column, flag, names, positiveInt } from "./options.js";

export const tokenClassificationOptionsSchema = z.strictObject({
  tokens_column: column().optional(),
  tags_column: column().optional(),
  label_names: names().optional(),
  label_all_tokens: flag().optional(),
  max_length: positiveInt().optional(),
});
export type TokenClassificationOptions = z.infer<typeof tokenClassificationOptionsSchema>;

/** Tag names from the training split: "O" first, then by entity type, B- before I-. */
export function buildTagList(train: Dataset, opts: TokenClassificationOptions = {}): string[] {
  if (opts.label_names?.length) return opts.label_names.map(String);
  const col = opts.tags_column ?? "tags";
  const seen = new Set<unknown>();
  for (const r of train.rows) if (Array.isArray(r[col])) for (const t of r[col] as unknown[]) seen.add(t);
  const values = [...seen];
  if (values.length && values.every((v) => typeof v === "number")) {
    return Array.from({ length: Math.max(...(values as number[])) + 1 }, (_, i) => `LABEL_${i}`);
  }
  // BIO tags come in pairs: a B-X seen implies I-X exists, and the reverse.
  for (const v of [...values]) {
    const m = typeof v === "string" ? /^([BI])-(.*)$/.exec(v) : null;
    if (m) seen.add(`${m[1] === "B" ? "I" : "B"}-${m[2]}`);
  }
  const key = (t: string) => {
    const m = /^([A-Z])-(.*)$/.exec(t);
    return t === "O" ? "" : m ? `${m[2]}\u0000${m[1]}` : t;
  };
  return [...seen].map(String).sort((a, b) => key(a).localeCompare(key(b)));
}

export function encodeTokenClassification(ds: Dataset, tokenizer: PreTrainedTokenizer, tagList: string[], opts: TokenClassificationOptions, log: BadRowLog): Dataset {
  const tokCol = opts.tokens_column ?? "tokens";
  const tagCol = opts.tags_column ?? "tags";
  const maxLength = opts.max_length ?? Math.min(tokenizer.model_max_length, 512);
  const tagId = new Map(tagList.map((t, i) => [t, i]));
  const frame = specialFrame(tokenizer).single;
  const words = new WordEncoder(tokenizer);
  const budget = maxLength - frame.prefix.length - frame.suffix.length;
  const rows: Row[] = [];
  const sources = [];
  rowLoop: for (let i = 0; i < ds.length; i++) {
    const r = ds.rows[i];
    const src = ds.sources[i];
    const tokens = r[tokCol];
    const tags = r[tagCol];
    if (!Array.isArray(tokens)) { log.add(src, `missing column "${tokCol}" (a list of words)`); continue; }
    if (tokens.length === 0) { log.add(src, "empty sentence (no tokens)"); continue; }
    const labelled = Array.isArray(tags);
    if (tags !== undefined && !labelled) { log.add(src, `"${tagCol}" must be a list of tags`); continue; }
    if (labelled && tags.length !== tokens.length) { log.add(src, `${tokens.length} tokens but ${tags.length} tags`); continue; }
    const ids: number[] = [...frame.prefix];
    const labels: number[] = frame.prefix.map(() => -100);
    const wordIds: (number | null)[] = frame.prefix.map(() => null);
    const pieces = words.encodeWords(tokens.map(String));
    for (let w = 0; w < pieces.length; w++) {
      let label = -100;
      if (labelled) {
        const t = tags[w];
        const id = typeof t === "number" ? t : tagId.get(String(t));
        if (id === undefined || id < 0 || id >= tagList.length) { log.add(src, `unknown tag "${t}" at word ${w} (known: ${tagList.slice(0, 8).join(", ")}...)`); continue rowLoop; }
        label = id;
      }
      pieces[w].forEach((pid, k) => {
        if (ids.length - frame.prefix.length >= budget) return;
        ids.push(pid);
        labels.push(k === 0 || opts.label_all_tokens ? label : -100);
        wordIds.push(w);
      });
    }
    ids.push(...frame.suffix);
    labels.push(...frame.suffix.map(() => -100));
    wordIds.push(...frame.suffix.map(() => null));
    rows.push({ input_ids: ids, attention_mask: ids.map(() => 1), ...(labelled ? { labels } : {}), word_ids: wordIds });
    sources.push(src);
  }
  return new Dataset(rows, sources);
}
