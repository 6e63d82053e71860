/**
 * Tasks: for each kind of fine-tuning, which model head to load, how rows become features
 * (the encoders in data/formats), which collator batches them and which metrics judge them.
 * The CLI, the server and library users share this table, so `token_classification` means
 * the same thing everywhere.
 */
import type { AutoTask } from "../models/auto.js";
import type { PreTrainedTokenizer } from "../data/tokenizer.js";
import { Dataset } from "../data/dataset.js";
import { BadRowLog, type BadRowPolicy } from "../data/bad_rows.js";
import { buildLabelMap, encodeClassification, requireColumn, type ClassificationOptions, type LabelMap } from "../data/formats/classification.js";
import { buildTagList, encodeTokenClassification, type TokenClassificationOptions } from "../data/formats/token_classification.js";
import { encodeCausalLm, type CausalLmOptions } from "../data/formats/causal_lm.js";
import { encodeSeq2Seq, type Seq2SeqOptions } from "../data/formats/seq2seq.js";
import { encodeExtractiveQa, type ExtractiveQaOptions } from "../data/formats/extractive_qa.js";
import { encodeMaskedLm, maskedLmMaxLength, type MaskedLmOptions } from "../data/formats/masked_lm.js";
import { DataCollatorForLanguageModeling, DataCollatorForSeq2Seq, DataCollatorWithPadding, type DataCollator } from "../data/collators.js";
import {
  classificationMetrics, multiLabelMetrics, questionAnsweringMetrics, regressionMetrics, tokenClassificationMetrics, type ComputeMetrics,
} from "../eval/compute_metrics.js";

export type TaskName = "text_classification" | "token_classification" | "causal_lm" | "masked_lm" | "seq2seq" | "extractive_qa";

/** The tasks, by their canonical names (the CLI's aliases resolve to these). */
export const TASK_NAMES: TaskName[] = ["text_classification", "token_classification", "causal_lm", "masked_lm", "seq2seq", "extractive_qa"];

export const AUTO_TASK: Record<TaskName, AutoTask> = {
  text_classification: "sequence-classification",
  token_classification: "token-classification",
  causal_lm: "causal-lm",
  masked_lm: "masked-lm",
  seq2seq: "seq2seq-lm",
  extractive_qa: "question-answering",
};

export interface TaskOptions {
  [key: string]: unknown;
}

export interface PreparedTask {
  task: TaskName;
  splits: Record<string, Dataset>;
  collator: DataCollator;
  compute_metrics?: ComputeMetrics;
  metric_input_columns?: string[];
  report_perplexity?: boolean;
  /** Overrides for the model config (labels, problem_type; the pad id the collator pads with). */
  config: Record<string, unknown>;
  /** The id the collator pads input_ids with (the tokenizer's pad token, else its EOS), or null. */
  pad_token_id: number | null;
  /** Messages about skipped bad rows, for the caller to print. */
  warnings: string[];
  labelMap?: LabelMap;
}

/** Turns raw splits into features for the task; the label map comes from "train" (or the first split). */
export function prepareTask(taskName: TaskName, splits: Record<string, Dataset>, tokenizer: PreTrainedTokenizer, opts: TaskOptions = {}, policy: BadRowPolicy = "fail", fixedLabels?: { id2label: Record<string, string> } | null): PreparedTask {
  const reference = splits.train ?? Object.values(splits)[0];
  if (!reference) throw new Error("[task] no data splits to prepare");
  const warnings: string[] = [];
  const out: Record<string, Dataset> = {};
  const encodeAll = (encode: (ds: Dataset, log: BadRowLog) => Dataset) => {
    for (const [name, ds] of Object.entries(splits)) {
      const log = new BadRowLog(policy);
      out[name] = encode(ds, log);
      const summary = log.finish(`preparing the ${name} split for ${taskName}`);
      if (summary) warnings.push(summary);
      const cut = log.lengths.summary(`the ${name} split`);
      if (cut) warnings.push(cut);
    }
  };
  const padId = tokenizer.pad_token_id ?? tokenizer.eos_token_id ?? null;
  switch (taskName) {
    case "text_classification": {
      const o = opts as ClassificationOptions;
      // A missing text column is a naming problem (a headerless file?), said before the labels' one.
      requireColumn(reference, o.text_column ?? "text", "task.text_column");
      const labelNames = fixedLabels ? Object.values(fixedLabels.id2label) : o.label_names;
      const map = buildLabelMap(reference, { ...o, label_names: labelNames });
      encodeAll((ds, log) => encodeClassification(ds, tokenizer, map, o, log));
      const float = map.problem_type !== "single_label_classification";
      const metrics = map.problem_type === "regression" ? regressionMetrics() : map.problem_type === "multi_label_classification" ? multiLabelMetrics() : classificationMetrics({ num_labels: map.num_labels });
      return {
        task: taskName, splits: out, warnings, pad_token_id: padId, labelMap: map, compute_metrics: metrics,
        collator: new DataCollatorWithPadding({ pad_token_id: padId, float_labels: float }).collate,
        // A classifier pooling the last real token (GPT-2, Llama) finds it by this id: the model and the collator share it.
        config: { id2label: map.id2label, label2id: map.label2id, num_labels: map.num_labels, problem_type: map.problem_type, ...(padId !== null ? { pad_token_id: padId } : {}) },
      };
    }
    case "token_classification": {
      const o = opts as TokenClassificationOptions;
      // The tag set is a schema: take it from every split (a few training rows may lack rare tags).
      const tags = fixedLabels ? Object.values(fixedLabels.id2label) : buildTagList(Dataset.concatenate(Object.values(splits)), o);
      encodeAll((ds, log) => encodeTokenClassification(ds, tokenizer, tags, o, log));
      const id2label = Object.fromEntries(tags.map((t, i) => [String(i), t]));
      return {
        task: taskName, splits: out, warnings, pad_token_id: padId, compute_metrics: tokenClassificationMetrics(id2label),
        collator: new DataCollatorWithPadding({ pad_token_id: padId }).collate,
        config: { id2label, label2id: Object.fromEntries(tags.map((t, i) => [t, i])), num_labels: tags.length },
      };
    }
    case "causal_lm": {
      encodeAll((ds, log) => encodeCausalLm(ds, tokenizer, opts as CausalLmOptions, log));
      return {
        task: taskName, splits: out, warnings, pad_token_id: padId, report_perplexity: true, config: {},
        collator: new DataCollatorForLanguageModeling({ mlm: false, pad_token_id: padId }).collate,
      };
    }
    case "masked_lm": {
      const maxLength = maskedLmMaxLength(tokenizer, opts as MaskedLmOptions);
      encodeAll((ds, log) => encodeMaskedLm(ds, tokenizer, opts as MaskedLmOptions, log));
      return {
        task: taskName, splits: out, warnings, pad_token_id: padId, report_perplexity: true, config: {},
        collator: new DataCollatorForLanguageModeling({
          mlm: true, mlm_probability: Number(opts.mlm_probability ?? 0.15), pad_token_id: padId, mask_token_id: tokenizer.mask_token_id,
          vocab_size: tokenizer.vocab_size, special_ids: tokenizer.all_special_ids, max_length: maxLength,
        }).collate,
      };
    }
    case "seq2seq": {
      encodeAll((ds, log) => encodeSeq2Seq(ds, tokenizer, opts as Seq2SeqOptions, log));
      return {
        task: taskName, splits: out, warnings, pad_token_id: padId, report_perplexity: true, config: {},
        collator: new DataCollatorForSeq2Seq({ pad_token_id: padId }).collate,
      };
    }
    case "extractive_qa": {
      encodeAll((ds, log) => encodeExtractiveQa(ds, tokenizer, opts as ExtractiveQaOptions, log));
      return {
        task: taskName, splits: out, warnings, pad_token_id: padId, config: { num_labels: 2 },
        compute_metrics: questionAnsweringMetrics({ max_answer_length: Number(opts.max_answer_length ?? 30) }),
        metric_input_columns: ["context", "token_char_spans", "answers"],
        collator: new DataCollatorWithPadding({ pad_token_id: padId }).collate,
      };
    }
  }
}

