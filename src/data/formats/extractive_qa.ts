/**
 * Extractive QA features (SQuAD layout: `question`, `context`, `answers` = { text: [...],
 * answer_start: [...] }): [CLS] question [SEP] context [SEP] with the context truncated to
 * fit max_length, start_positions/end_positions at the answer's first and last token (0, the
 * [CLS] position, when the answer was cut off, as HF's run_qa does), and each token's
 * character span kept for turning predicted spans back into text.
 */
import type { PreTrainedTokenizer } from "../tokenizer.js";
import { Dataset, type Row } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";
import { specialFrame, WordEncoder } from "../word_alignment.js";
import { z } from "zod";
import { asText, column, positiveInt } from "./options.js";

export const extractiveQaOptionsSchema = z.strictObject({
  question_column: column().optional(),
  context_column: column().optional(),
  answers_column: column().optional(),
  max_length: positiveInt().optional(),
  /** The longest answer span, in tokens (default 30). */
  max_answer_length: positiveInt().optional(),
});
export type ExtractiveQaOptions = z.infer<typeof extractiveQaOptionsSchema>;

export function encodeExtractiveQa(ds: Dataset, tokenizer: PreTrainedTokenizer, opts: ExtractiveQaOptions, log: BadRowLog): Dataset {
  const qCol = opts.question_column ?? "question";
  const cCol = opts.context_column ?? "context";
  const aCol = opts.answers_column ?? "answers";
  const maxLength = opts.max_length ?? Math.min(tokenizer.model_max_length, 384);
  const frame = specialFrame(tokenizer).pair;
  const words = new WordEncoder(tokenizer);
  const rows: Row[] = [];
  const sources = [];
  for (let i = 0; i < ds.length; i++) {
    const r = ds.rows[i];
    const src = ds.sources[i];
    const question = asText(r[qCol]);
    const context = asText(r[cCol]);
    if (typeof question !== "string" || !question.trim()) { log.add(src, `missing or empty "${qCol}"`); continue; }
    if (typeof context !== "string" || !context.trim()) { log.add(src, `missing or empty "${cCol}"`); continue; }
    const answers = normaliseAnswers(r[aCol]);
    if (typeof answers === "string") { log.add(src, answers); continue; }
    const misplaced = answers?.text.findIndex((t, k) => context.slice(answers.answer_start[k], answers.answer_start[k] + t.length) !== t) ?? -1;
    if (misplaced >= 0) { log.add(src, `answer "${answers!.text[misplaced]}" is not at answer_start ${answers!.answer_start[misplaced]} of the context`); continue; }
    const q = tokenizer.encode(question.trim(), { add_special_tokens: false });
    const ctx = words.encodeWithSpans(context);
    const room = maxLength - q.length - frame.prefix.length - frame.middle.length - frame.suffix.length;
    if (room < 1) { log.add(src, `the question alone takes ${q.length} tokens, leaving no room for the context in max_length ${maxLength}`); continue; }
    const ctxIds = ctx.ids.slice(0, room);
    const ctxStart = frame.prefix.length + q.length + frame.middle.length;
    const input_ids = [...frame.prefix, ...q, ...frame.middle, ...ctxIds, ...frame.suffix];
    const token_type_ids = input_ids.map((_, k) => (k >= ctxStart && frame.pairTypeId ? frame.pairTypeId : 0));
    for (let k = ctxStart + ctxIds.length; k < input_ids.length; k++) token_type_ids[k] = frame.pairTypeId;
    const token_char_spans: ([number, number] | null)[] = input_ids.map((_, k) => (k >= ctxStart && k < ctxStart + ctxIds.length ? ctx.spans[k - ctxStart] : null));
    const out: Row = { input_ids, attention_mask: input_ids.map(() => 1), token_type_ids, token_char_spans, context, answers: answers ?? { text: [], answer_start: [] } };
    if (answers && answers.text.length) {
      const startChar = answers.answer_start[0];
      const endChar = startChar + answers.text[0].length;
      let s = -1;
      let e = -1;
      token_char_spans.forEach((span, k) => {
        if (!span) return;
        if (s < 0 && span[1] > startChar) s = k;
        if (span[0] < endChar) e = k;
      });
      const inside = s >= 0 && e >= s && token_char_spans[s]![0] <= startChar + 1 && (token_char_spans[e]![1] >= endChar - 1);
      out.start_positions = inside ? s : 0;
      out.end_positions = inside ? e : 0;
    }
    rows.push(out);
    sources.push(src);
  }
  return new Dataset(rows, sources);
}

function normaliseAnswers(v: unknown): { text: string[]; answer_start: number[] } | null | string {
  if (v === undefined || v === null) return null;
  const a = v as { text?: unknown; answer_start?: unknown };
  const text = Array.isArray(a.text) ? a.text.map(String) : typeof a.text === "string" ? [a.text] : null;
  const start = Array.isArray(a.answer_start) ? a.answer_start.map(Number) : typeof a.answer_start === "number" ? [a.answer_start] : null;
  if (!text || !start || text.length !== start.length) return `answers must be { text: [...], answer_start: [...] } of equal length, got ${JSON.stringify(v).slice(0, 80)}`;
  if (start.some((x) => !Number.isInteger(x) || x < 0)) return "answer_start must hold character offsets (non-negative integers)";
  return { text, answer_start: start };
}
