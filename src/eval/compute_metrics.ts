/**
 * Ready-made `compute_metrics` functions per task, for `new Trainer({ compute_metrics })`.
 * They receive HF's EvalPrediction: per-example predictions (logits) and label ids, with
 * -100 marking positions that carry no label (padding, continuation word pieces).
 */
import { accuracy } from "./accuracy.js";
import { precisionRecallF1 } from "./precision_recall.js";
import { seqeval } from "./seqeval.js";
import { squad } from "./exact_match.js";

export interface EvalPrediction {
  /** One entry per example: logits (C), token logits (T, C), or a tuple for QA. */
  predictions: unknown[];
  /** One entry per example: class id, float targets, or per-token ids. */
  label_ids: unknown[];
  /** Extra per-example fields the task kept for post-processing (QA offsets, ids). */
  inputs?: Record<string, unknown>[];
}

export type Metrics = Record<string, number>;
export type ComputeMetrics = (p: EvalPrediction) => Metrics;

export function argmaxOf(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/**
 * Single-label classification. `f1` (with `precision`, `recall`) is the documented default
 * of Hugging Face's examples: the positive class's (id 1) for two classes, the macro average
 * otherwise; `macro_f1` and `weighted_f1` always come too, so a name never means two things
 * across runs. `average` changes what `f1`, `precision` and `recall` average.
 */
export function classificationMetrics(opts: { num_labels?: number; average?: "binary" | "macro" | "micro" | "weighted" } = {}): ComputeMetrics {
  return ({ predictions, label_ids }) => {
    const preds = predictions.map((row) => argmaxOf(row as number[]));
    const refs = label_ids.map(Number);
    const numLabels = opts.num_labels ?? (predictions[0] as number[] | undefined)?.length ?? 2;
    const average = opts.average ?? (numLabels === 2 ? "binary" : "macro");
    const labels = Array.from({ length: numLabels }, (_, i) => i);
    const prf = precisionRecallF1(preds, refs, average === "binary" ? { average } : { average, labels });
    const macro = precisionRecallF1(preds, refs, { average: "macro", labels });
    const weighted = precisionRecallF1(preds, refs, { average: "weighted", labels });
    return { accuracy: accuracy(preds, refs), f1: prf.f1, precision: prf.precision, recall: prf.recall, macro_f1: macro.f1, weighted_f1: weighted.f1 };
  };
}

/** Multi-label classification: a label is on when its sigmoid passes the threshold (logit > logit(threshold)). */
export function multiLabelMetrics(opts: { threshold?: number } = {}): ComputeMetrics {
  const threshold = opts.threshold ?? 0.5;
  const cut = Math.log(threshold / (1 - threshold));
  return ({ predictions, label_ids }) => {
    const flatPred: number[] = [];
    const flatRef: number[] = [];
    let subsetHits = 0;
    predictions.forEach((row, i) => {
      const on = (row as number[]).map((v) => (v > cut ? 1 : 0));
      const ref = (label_ids[i] as number[]).map((v) => (v >= 0.5 ? 1 : 0));
      if (on.every((v, j) => v === ref[j])) subsetHits++;
      flatPred.push(...on);
      flatRef.push(...ref);
    });
    const micro = precisionRecallF1(flatPred, flatRef, { average: "binary", pos_label: 1 });
    return { subset_accuracy: predictions.length ? subsetHits / predictions.length : 0, micro_f1: micro.f1, micro_precision: micro.precision, micro_recall: micro.recall };
  };
}

/** Regression (num_labels 1): mean squared and absolute error, and Pearson's r. */
export function regressionMetrics(): ComputeMetrics {
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
export function tokenClassificationMetrics(id2label: Record<string | number, string>): ComputeMetrics {
  return ({ predictions, label_ids }) => {
    const predTags: string[][] = [];
    const goldTags: string[][] = [];
    predictions.forEach((rows, i) => {
      const labels = label_ids[i] as number[];
      const p: string[] = [];
      const g: string[] = [];
      labels.forEach((l, t) => {
        if (l === -100) return;
        p.push(id2label[argmaxOf((rows as number[][])[t])] ?? "O");
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
export function questionAnsweringMetrics(opts: { max_answer_length?: number } = {}): ComputeMetrics {
  const maxLen = opts.max_answer_length ?? 30;
  return ({ predictions, inputs }) => {
    if (!inputs) throw new Error("[qa metrics] the evaluation kept no QA inputs (context, token_char_spans, answers); prepare the data with the extractive_qa task");
    const texts: string[] = [];
    const golds: string[][] = [];
    predictions.forEach((pred, i) => {
      const [start, end] = pred as [number[], number[]];
      const info = inputs[i] as { context: string; token_char_spans: ([number, number] | null)[]; answers: { text: string[] } };
      texts.push(bestSpanText(start, end, info.token_char_spans, info.context, maxLen));
      golds.push(info.answers.text);
    });
    return squad(texts, golds);
  };
}

export function bestSpanText(start: ArrayLike<number>, end: ArrayLike<number>, spans: ([number, number] | null)[], context: string, maxLen: number): string {
  let best = -Infinity;
  let answer = "";
  for (let s = 0; s < spans.length; s++) {
    if (!spans[s]) continue;
    for (let e = s; e < Math.min(spans.length, s + maxLen); e++) {
      if (!spans[e]) continue;
      const score = start[s] + end[e];
      if (score > best) {
        best = score;
        answer = context.slice(spans[s]![0], spans[e]![1]);
      }
    }
  }
  return answer;
}
