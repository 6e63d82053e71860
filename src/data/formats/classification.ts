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
import { Dataset, type Row } from "../dataset.js";
import { BadRowLog } from "../bad_rows.js";

import { z } from "zod";
import { asText, column, flag, names, positiveInt } from "./options.js";

/** Transformers' config.problem_type, spelled here so data does not import models (models/loss_utils.ts reads the same three). */
export type ProblemType = "regression" | "single_label_classification" | "multi_label_classification";

export const classificationOptionsSchema = z.strictObject({
  text_column: column().optional(),
  text_pair_column: column().nullable().optional(),
  label_column: column().optional(),
  problem_type: z.enum(["single_label_classification", "multi_label_classification", "regression"], { error: "one of single_label_classification, multi_label_classification, regression" }).optional(),
  /** Fixes the class order (and names ids): ["negative", "positive"]. */
  label_names: names().optional(),
  max_length: positiveInt().optional(),
});
export type ClassificationOptions = z.infer<typeof classificationOptionsSchema> & { problem_type?: ProblemType };

export interface LabelMap {
  id2label: Record<string, string>;
  label2id: Record<string, number>;
  num_labels: number;
  problem_type: ProblemType;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : typeof v === "string" && v.includes(",") ? v.split(",").map((s) => s.trim()) : [v]);

/** Builds id2label/label2id from the training rows (sorted names, or ids 0..max). */
export function buildLabelMap(train: Dataset, opts: ClassificationOptions = {}): LabelMap {
  const col = opts.label_column ?? "label";
  const problem_type = opts.problem_type ?? "single_label_classification";
  if (problem_type === "regression") {
    const first = train.rows.find((r) => r[col] !== undefined)?.[col];
    const n = Array.isArray(first) ? first.length : 1;
    const id2label = Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), `LABEL_${i}`]));
    return { id2label, label2id: invert(id2label), num_labels: n, problem_type };
  }
  let names: string[];
  if (opts.label_names?.length) {
    names = opts.label_names.map(String);
  } else {
    const seen = new Set<unknown>();
    for (const r of train.rows) {
      const v = r[col];
      if (v === undefined || v === null || v === "") continue;
      // An object is no class name: it would become a class called "[object Object]" (a bad row in encoding).
      for (const x of problem_type === "multi_label_classification" ? asList(v) : [v]) if (x === null || typeof x !== "object") seen.add(x);
    }
    const values = [...seen];
    if (values.length && values.every((v) => typeof v === "number" && Number.isInteger(v) && v >= 0)) {
      const max = Math.max(...(values as number[]));
      names = Array.from({ length: max + 1 }, (_, i) => `LABEL_${i}`);
    } else {
      names = values.map(String).sort();
    }
  }
  if (names.length === 0) {
    const found = [...new Set(train.rows.slice(0, 100).flatMap((r) => Object.keys(r)))];
    throw new Error(
      `[data] no labels found in column "${col}" of the training split (columns found: ${found.join(", ") || "none"}); ` +
        `check task.label_column, or for a CSV/TSV file without a header row give dataset.column_names`,
    );
  }
  const id2label = Object.fromEntries(names.map((n, i) => [String(i), n]));
  return { id2label, label2id: invert(id2label), num_labels: names.length, problem_type };
}

function invert(id2label: Record<string, string>): Record<string, number> {
  return Object.fromEntries(Object.entries(id2label).map(([k, v]) => [v, Number(k)]));
}

/** A label given as a name or an id → the class id, or an explanation of why it is not one. */
function classId(v: unknown, map: LabelMap): number | string {
  if (v !== null && typeof v === "object") return `label ${JSON.stringify(v).slice(0, 60)} is ${Array.isArray(v) ? "a list" : "an object"}, not a class name or id`;
  if (typeof v === "number" && Number.isInteger(v)) {
    return v >= 0 && v < map.num_labels ? v : `label id ${v} is outside [0, ${map.num_labels})`;
  }
  const key = String(v).trim();
  if (key in map.label2id) return map.label2id[key];
  if (/^\d+$/.test(key) && Number(key) < map.num_labels) return Number(key);
  return `unknown label "${key}" (known: ${Object.keys(map.label2id).slice(0, 10).join(", ")})`;
}

export function encodeClassification(ds: Dataset, tokenizer: PreTrainedTokenizer, map: LabelMap, opts: ClassificationOptions, log: BadRowLog): Dataset {
  const textCol = opts.text_column ?? "text";
  const pairCol = opts.text_pair_column ?? null;
  const labelCol = opts.label_column ?? "label";
  const maxLength = opts.max_length ?? Math.min(tokenizer.model_max_length, 512);
  requireColumn(ds, textCol, "task.text_column");
  const rows: Row[] = [];
  const sources = [];
  const isEmpty = (v: unknown) => v === undefined || v === null || v === "";
  // In a labelled split, a row whose label is null or empty is a bad row (not a batch without loss).
  const labelled = ds.rows.some((x) => !isEmpty(x[labelCol]));
  for (let i = 0; i < ds.length; i++) {
    const r = ds.rows[i];
    const src = ds.sources[i];
    const text = asText(r[textCol]);
    if (text === undefined) { log.add(src, `missing column "${textCol}" (columns: ${Object.keys(r).join(", ")})`); continue; }
    if (typeof text !== "string" || !text.trim()) { log.add(src, `empty text in "${textCol}"`); continue; }
    const pair = pairCol ? asText(r[pairCol]) : null;
    if (pairCol && (typeof pair !== "string" || !pair.trim())) { log.add(src, `missing or empty "${pairCol}"`); continue; }
    const raw = r[labelCol];
    const out: Row = {};
    if (raw !== undefined && raw !== null && raw !== "") {
      const labels = encodeLabel(raw, map);
      if (typeof labels === "string") { log.add(src, labels); continue; }
      out.labels = labels;
    } else if (!(labelCol in r) && ds.length && ds.rows.some((x) => labelCol in x)) {
      log.add(src, `missing column "${labelCol}"`);
      continue;
    } else if (labelled) {
      log.add(src, `the label in "${labelCol}" is ${raw === null ? "null" : "empty"}; give every training row a label`);
      continue;
    }
    const enc = tokenizer.call(text, { text_pair: pair as string | null, truncation: true, max_length: maxLength, return_num_truncated_tokens: true });
    log.lengths.add(enc.input_ids[0].length + (enc.num_truncated_tokens?.[0] ?? 0), maxLength, tokenizer.model_max_length);
    out.input_ids = enc.input_ids[0];
    out.attention_mask = enc.attention_mask?.[0];
    if (enc.token_type_ids) out.token_type_ids = enc.token_type_ids[0];
    rows.push(out);
    sources.push(src);
  }
  return new Dataset(rows, sources);
}

function encodeLabel(raw: unknown, map: LabelMap): number | number[] | string {
  if (map.problem_type === "regression") {
    const values = (Array.isArray(raw) ? raw : [raw]).map(Number);
    if (values.some((v) => !Number.isFinite(v))) return `regression label ${JSON.stringify(raw)} is not a number`;
    if (values.length !== map.num_labels) return `regression label has ${values.length} values, expected ${map.num_labels}`;
    return map.num_labels === 1 ? values[0] : values;
  }
  if (map.problem_type === "multi_label_classification") {
    const hot = new Array<number>(map.num_labels).fill(0);
    const list = asList(raw);
    // A multi-hot vector as given ([0,1,1]) is used as is.
    if (list.length === map.num_labels && list.every((v) => v === 0 || v === 1) && Array.isArray(raw)) return list as number[];
    for (const v of list) {
      const id = classId(v, map);
      if (typeof id === "string") return id;
      hot[id] = 1;
    }
    return hot;
  }
  return classId(raw, map);
}

/** A column no row has is a naming problem, not a bad row: one error naming the columns found. */
export function requireColumn(ds: Dataset, col: string, key: string): void {
  if (ds.length === 0 || ds.rows.some((r) => col in r)) return;
  const found = [...new Set(ds.rows.slice(0, 100).flatMap((r) => Object.keys(r)))];
  const file = ds.sources.find((s) => s)?.file;
  throw new Error(
    `[data] ${file ?? "the data"} has no column "${col}" (${key}); columns found: ${found.join(", ") || "none"}. ` +
      `Set ${key} to one of them, or for a CSV/TSV file without a header row give dataset.column_names`,
  );
}
