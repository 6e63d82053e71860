/**
 * Predictions in a task's own terms, from what Trainer.predict returns per example (as HF's
 * pipelines post-process): a predicted label with its score and every label's probability
 * (the raw values for regression, the labels past 0.5 for multi-label), one tag per input
 * word, or the text of the best answer span. Prediction fields never reuse an input column's
 * name, so gold labels stay beside them. Probabilities are rounded to 4 digits for output files.
 */
import { argmaxOf, bestSpanText } from "../eval/compute_metrics.js";
import type { Row } from "../data/dataset.js";
import type { TaskName } from "./tasks.js";

export interface PredictionLabels {
  id2label: Record<string, string>;
  /** The model config's problem_type (text classification). */
  problem_type?: unknown;
  /** Extractive QA: the longest answer span, in tokens (default 30). */
  max_answer_length?: number;
}

/**
 * The fields one prediction adds to its input row. `feature` is the encoded example the
 * prediction came from (word ids, token spans), `row` the input row it was encoded from.
 */
export function taskPrediction(task: TaskName, prediction: unknown, feature: Row, row: Row, labels: PredictionLabels): Record<string, unknown> {
  const { id2label } = labels;
  switch (task) {
    case "text_classification": {
      const logits = prediction as number[];
      if (labels.problem_type === "regression") return { prediction: logits.length === 1 ? logits[0] : logits };
      // Labels trained from integers (LABEL_0, LABEL_1, ...) come back as those integers.
      const generic = Object.entries(id2label).every(([k, v]) => v === `LABEL_${k}`);
      const name = (k: number) => (generic ? k : id2label[k]);
      if (labels.problem_type === "multi_label_classification") {
        const probs = logits.map((v) => 1 / (1 + Math.exp(-v)));
        return { predicted_labels: probs.flatMap((p, k) => (p > 0.5 ? [name(k)] : [])), scores: Object.fromEntries(probs.map((p, k) => [id2label[k], round(p)])) };
      }
      const probs = softmax(logits);
      const k = argmaxOf(probs);
      return { predicted_label: name(k), score: round(probs[k]), probabilities: Object.fromEntries(probs.map((p, j) => [id2label[j], round(p)])) };
    }
    case "token_classification": {
      // A word's tag is its first sub-token's.
      const wordIds = feature.word_ids as (number | null)[];
      const tags: string[] = [];
      (prediction as number[][]).forEach((logits, t) => {
        const w = wordIds[t];
        if (w !== null && w !== undefined && tags[w] === undefined) tags[w] = id2label[argmaxOf(logits)];
      });
      return { predicted_tags: Array.from({ length: (row.tokens as unknown[]).length }, (_, w) => tags[w] ?? "O") };
    }
    case "extractive_qa": {
      const [start, end] = prediction as [number[], number[]];
      return { answer: bestSpanText(start, end, feature.token_char_spans as ([number, number] | null)[], feature.context as string, labels.max_answer_length ?? 30) };
    }
    default:
      throw new Error(`[predict] task "${task}" has no per-example prediction from logits; generation tasks (causal_lm, seq2seq) predict with generateText`);
  }
}

function softmax(row: number[]): number[] {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const round = (v: number) => Math.round(v * 1e4) / 1e4;
