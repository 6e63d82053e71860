/**
 * Ready-made `compute_metrics` functions per task, for `new Trainer({ compute_metrics })`.
 * They receive HF's EvalPrediction: per-example predictions (logits) and label ids, with
 * -100 marking positions that carry no label (padding, continuation word pieces).
 */
import { accuracy } from "./accuracy.js";
import { precisionRecallF1 } from "./precision_recall.js";
import { seqeval } from "./seqeval.js";
import { squad } from "./exact_match.js";
export function argmaxOf(row) {
    let best = 0;
    for (let i = 1; i < row.length; i++)
        if (row[i] > row[best])
            best = i;
    return best;
}
/** Single-label classification: accuracy plus F1/precision/recall (binary for 2 classes, macro otherwise). */
export function classificationMetrics(opts = {}) {
    return ({ predictions, label_ids }) => {
        const preds = predictions.map((row) => argmaxOf(row));
        const refs = label_ids.map(Number);
        const numLabels = opts.num_labels ?? predictions[0]?.length ?? 2;
        const average = opts.average ?? (numLabels === 2 ? "binary" : "macro");
        const labels = Array.from({ length: numLabels }, (_, i) => i);
        const prf = precisionRecallF1(preds, refs, average === "binary" ? { average } : { average, labels });
        return { accuracy: accuracy(preds, refs), f1: prf.f1, precision: prf.precision, recall: prf.recall };
    };
}
/** Multi-label classification: a label is on when its sigmoid passes the threshold (logit > logit(threshold)). */
export function multiLabelMetrics(opts = {}) {
    const threshold = opts.threshold ?? 0.5;
    const cut = Math.log(threshold / (1 - threshold));
    return ({ predictions, label_ids }) => {
        const flatPred = [];
        const flatRef = [];
        let subsetHits = 0;
        predictions.forEach((row, i) => {
            const on = row.map((v) => (v > cut ? 1 : 0));
            const ref = label_ids[i].map((v) => (v >= 0.5 ? 1 : 0));
            if (on.every((v, j) => v === ref[j]))
                subsetHits++;
            flatPred.push(...on);
            flatRef.push(...ref);
        });
        const micro = precisionRecallF1(flatPred, flatRef, { average: "binary", pos_label: 1 });
        return { subset_accuracy: predictions.length ? subsetHits / predictions.length : 0, f1_micro: micro.f1, precision_micro: micro.precision, recall_micro: micro.recall };
    };
}
/** Regression (num_labels 1): mean squared and absolute error, and Pearson's r. */
export function regressionMetrics() {
    return ({ predictions, label_ids }) => {
        const p = predictions.map((row) => (Array.isArray(row) ? Number(row[0]) : Number(row)));
        const y = label_ids.map((v) => (Array.isArray(v) ? Number(v[0]) : Number(v)));
        const n = Math.max(p.length, 1);
        const mse = p.reduce((s, v, i) => s + (v - y[i]) ** 2, 0) / n;
        const mae = p.reduce((s, v, i) => s + Math.abs(v - y[i]), 0) / n;
        const mp = p.reduce((s, v) => s + v, 0) / n;
        const my = y.reduce((s, v) => s + v, 0) / n;
        let cov = 0;
        let vp = 0;
        let vy = 0;
        p.forEach((v, i) => {
            cov += (v - mp) * (y[i] - my);
            vp += (v - mp) ** 2;
            vy += (y[i] - my) ** 2;
        });
        return { mse, mae, pearson: vp > 0 && vy > 0 ? cov / Math.sqrt(vp * vy) : 0 };
    };
}
/** Token classification: seqeval entity F1 over the positions whose label is not -100. */
export function tokenClassificationMetrics(id2label) {
    return ({ predictions, label_ids }) => {
        const predTags = [];
        const goldTags = [];
        predictions.forEach((rows, i) => {
            const labels = label_ids[i];
            const p = [];
            const g = [];
            labels.forEach((l, t) => {
                if (l === -100)
                    return;
                p.push(id2label[argmaxOf(rows[t])] ?? "O");
                g.push(id2label[l] ?? "O");
            });
            predTags.push(p);
            goldTags.push(g);
        });
        const r = seqeval(predTags, goldTags);
        return { precision: r.precision, recall: r.recall, f1: r.f1, accuracy: r.accuracy };
    };
}
/**
 * Extractive QA: the best span (start <= end, at most max_answer_length tokens, inside the
 * context) per example, turned back to text through the features' character spans.
 */
export function questionAnsweringMetrics(opts = {}) {
    const maxLen = opts.max_answer_length ?? 30;
    return ({ predictions, inputs }) => {
        if (!inputs)
            throw new Error("[qa metrics] the evaluation kept no QA inputs (context, token_char_spans, answers); prepare the data with the extractive_qa task");
        const texts = [];
        const golds = [];
        predictions.forEach((pred, i) => {
            const [start, end] = pred;
            const info = inputs[i];
            texts.push(bestSpanText(start, end, info.token_char_spans, info.context, maxLen));
            golds.push(info.answers.text);
        });
        return squad(texts, golds);
    };
}
export function bestSpanText(start, end, spans, context, maxLen) {
    let best = -Infinity;
    let answer = "";
    for (let s = 0; s < spans.length; s++) {
        if (!spans[s])
            continue;
        for (let e = s; e < Math.min(spans.length, s + maxLen); e++) {
            if (!spans[e])
                continue;
            const score = start[s] + end[e];
            if (score > best) {
                best = score;
                answer = context.slice(spans[s][0], spans[e][1]);
            }
        }
    }
    return answer;
}
//# sourceMappingURL=compute_metrics.js.map