import { Dataset } from "../data/dataset.js";
import { BadRowLog } from "../data/bad_rows.js";
import { buildLabelMap, encodeClassification } from "../data/formats/classification.js";
import { buildTagList, encodeTokenClassification } from "../data/formats/token_classification.js";
import { encodeCausalLm, pack } from "../data/formats/causal_lm.js";
import { encodeSeq2Seq } from "../data/formats/seq2seq.js";
import { encodeExtractiveQa } from "../data/formats/extractive_qa.js";
import { DataCollatorForLanguageModeling, DataCollatorForSeq2Seq, DataCollatorWithPadding } from "../data/collators.js";
import { classificationMetrics, multiLabelMetrics, questionAnsweringMetrics, regressionMetrics, tokenClassificationMetrics, } from "../eval/compute_metrics.js";
import { nearestName } from "./suggest.js";
export const TASK_ALIASES = {
    text_classification: "text_classification", sequence_classification: "text_classification", classification: "text_classification",
    token_classification: "token_classification", ner: "token_classification",
    causal_lm: "causal_lm", clm: "causal_lm", sft: "causal_lm", instruction_tuning: "causal_lm", text_generation: "causal_lm",
    masked_lm: "masked_lm", mlm: "masked_lm", fill_mask: "masked_lm",
    seq2seq: "seq2seq", seq2seq_lm: "seq2seq", summarization: "seq2seq", translation: "seq2seq", text2text_generation: "seq2seq",
    extractive_qa: "extractive_qa", question_answering: "extractive_qa", qa: "extractive_qa",
};
/** Options each task reads from the YAML `task:` section (besides `type`). */
export const TASK_OPTIONS = {
    text_classification: ["text_column", "text_pair_column", "label_column", "problem_type", "label_names", "max_length"],
    token_classification: ["tokens_column", "tags_column", "label_names", "label_all_tokens", "max_length"],
    causal_lm: ["text_column", "prompt_column", "completion_column", "messages_column", "completion_only_loss", "assistant_only_loss", "max_length", "packing", "add_eos_token"],
    masked_lm: ["text_column", "max_length", "mlm_probability", "packing"],
    seq2seq: ["source_column", "target_column", "source_prefix", "max_source_length", "max_target_length"],
    extractive_qa: ["question_column", "context_column", "answers_column", "max_length", "max_answer_length"],
};
export const AUTO_TASK = {
    text_classification: "sequence-classification",
    token_classification: "token-classification",
    causal_lm: "causal-lm",
    masked_lm: "masked-lm",
    seq2seq: "seq2seq-lm",
    extractive_qa: "question-answering",
};
/** The default metric_for_best_model per task (HF-style names without eval_). */
export const DEFAULT_METRIC = {
    text_classification: "accuracy", token_classification: "f1", causal_lm: "loss", masked_lm: "loss", seq2seq: "loss", extractive_qa: "f1",
};
export function resolveTaskName(name) {
    if (typeof name !== "string")
        return `task must be a name (one of ${Object.keys(TASK_OPTIONS).join(", ")}), got ${JSON.stringify(name)}`;
    const key = name.toLowerCase().replace(/-/g, "_");
    const task = TASK_ALIASES[key];
    if (task)
        return task;
    const near = nearestName(key, Object.keys(TASK_ALIASES));
    return `unknown task "${name}"${near ? `; did you mean "${near}"?` : ""} (tasks: ${Object.keys(TASK_OPTIONS).join(", ")})`;
}
/** Turns raw splits into features for the task; the label map comes from "train" (or the first split). */
export function prepareTask(taskName, splits, tokenizer, opts = {}, policy = "fail", fixedLabels) {
    const reference = splits.train ?? Object.values(splits)[0];
    if (!reference)
        throw new Error("[task] no data splits to prepare");
    const warnings = [];
    const out = {};
    const encodeAll = (encode) => {
        for (const [name, ds] of Object.entries(splits)) {
            const log = new BadRowLog(policy);
            out[name] = encode(ds, log);
            const summary = log.finish(`preparing the ${name} split for ${taskName}`);
            if (summary)
                warnings.push(summary);
        }
    };
    const padId = tokenizer.pad_token_id ?? tokenizer.eos_token_id ?? null;
    switch (taskName) {
        case "text_classification": {
            const o = opts;
            const labelNames = fixedLabels ? Object.values(fixedLabels.id2label) : o.label_names;
            const map = buildLabelMap(reference, { ...o, label_names: labelNames });
            encodeAll((ds, log) => encodeClassification(ds, tokenizer, map, o, log));
            const float = map.problem_type !== "single_label_classification";
            const metrics = map.problem_type === "regression" ? regressionMetrics() : map.problem_type === "multi_label_classification" ? multiLabelMetrics() : classificationMetrics({ num_labels: map.num_labels });
            return {
                task: taskName, splits: out, warnings, labelMap: map, compute_metrics: metrics,
                collator: new DataCollatorWithPadding({ pad_token_id: padId, float_labels: float }).collate,
                config: { id2label: map.id2label, label2id: map.label2id, num_labels: map.num_labels, problem_type: map.problem_type },
            };
        }
        case "token_classification": {
            const o = opts;
            // The tag set is a schema: take it from every split (a few training rows may lack rare tags).
            const tags = fixedLabels ? Object.values(fixedLabels.id2label) : buildTagList(Dataset.concatenate(Object.values(splits)), o);
            encodeAll((ds, log) => encodeTokenClassification(ds, tokenizer, tags, o, log));
            const id2label = Object.fromEntries(tags.map((t, i) => [String(i), t]));
            return {
                task: taskName, splits: out, warnings, compute_metrics: tokenClassificationMetrics(id2label),
                collator: new DataCollatorWithPadding({ pad_token_id: padId }).collate,
                config: { id2label, label2id: Object.fromEntries(tags.map((t, i) => [t, i])), num_labels: tags.length },
            };
        }
        case "causal_lm": {
            encodeAll((ds, log) => encodeCausalLm(ds, tokenizer, opts, log));
            return {
                task: taskName, splits: out, warnings, report_perplexity: true, config: {},
                collator: new DataCollatorForLanguageModeling({ mlm: false, pad_token_id: padId }).collate,
            };
        }
        case "masked_lm": {
            const maxLength = Number(opts.max_length ?? Math.min(tokenizer.model_max_length, 128));
            encodeAll((ds, log) => encodeMaskedLmText(ds, tokenizer, String(opts.text_column ?? "text"), maxLength, opts.packing !== false, log));
            return {
                task: taskName, splits: out, warnings, report_perplexity: true, config: {},
                collator: new DataCollatorForLanguageModeling({
                    mlm: true, mlm_probability: Number(opts.mlm_probability ?? 0.15), pad_token_id: padId, mask_token_id: tokenizer.mask_token_id,
                    vocab_size: tokenizer.vocab_size, special_ids: tokenizer.all_special_ids, max_length: maxLength,
                }).collate,
            };
        }
        case "seq2seq": {
            encodeAll((ds, log) => encodeSeq2Seq(ds, tokenizer, opts, log));
            return {
                task: taskName, splits: out, warnings, report_perplexity: true, config: {},
                collator: new DataCollatorForSeq2Seq({ pad_token_id: padId }).collate,
            };
        }
        case "extractive_qa": {
            encodeAll((ds, log) => encodeExtractiveQa(ds, tokenizer, opts, log));
            return {
                task: taskName, splits: out, warnings, config: { num_labels: 2 },
                compute_metrics: questionAnsweringMetrics({ max_answer_length: Number(opts.max_answer_length ?? 30) }),
                metric_input_columns: ["context", "token_char_spans", "answers"],
                collator: new DataCollatorWithPadding({ pad_token_id: padId }).collate,
            };
        }
    }
}
/**
 * Masked-LM pretraining text: tokenized with special tokens; with packing (default) the
 * token stream is regrouped into blocks of max_length, each framed by [CLS] … [SEP], as
 * HF's run_mlm group_texts does.
 */
function encodeMaskedLmText(ds, tokenizer, column, maxLength, packing, log) {
    const rows = [];
    const bodies = [];
    for (let i = 0; i < ds.length; i++) {
        const text = ds.rows[i][column];
        if (typeof text !== "string" || !text.trim()) {
            log.add(ds.sources[i], `missing or empty "${column}"`);
            continue;
        }
        if (packing)
            bodies.push(tokenizer.encode(text, { add_special_tokens: false }));
        else
            rows.push({ input_ids: tokenizer.encode(text, { truncation: true, max_length: maxLength }) });
    }
    if (!packing)
        return new Dataset(rows);
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
export { pack };
//# sourceMappingURL=tasks.js.map