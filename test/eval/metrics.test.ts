import { test } from "node:test";
import assert from "node:assert/strict";
import {
  accuracy, f1, precision, recall, precisionRecallF1, confusionMatrix, perplexity, perplexityFromSums, squad, exactMatch, seqeval, getEntities,
  classificationMetrics, tokenClassificationMetrics, bestSpanText,
} from "../../src/eval/index.js";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test("accuracy and its length check", () => {
  assert.equal(accuracy([0, 1, 1, 0], [0, 1, 0, 0]), 0.75);
  assert.throws(() => accuracy([1], [1, 0]), /1 predictions but 2 references/);
});

test("f1/precision/recall match sklearn for binary, micro, macro and weighted", () => {
  // sklearn: y_true=[0,1,2,0,1,2], y_pred=[0,2,1,0,0,1]
  const yt = [0, 1, 2, 0, 1, 2];
  const yp = [0, 2, 1, 0, 0, 1];
  close(f1(yp, yt, { average: "macro" }), 0.26666666666666666);
  close(f1(yp, yt, { average: "micro" }), 0.3333333333333333);
  close(f1(yp, yt, { average: "weighted" }), 0.26666666666666666);
  close(precision(yp, yt, { average: "macro" }), 0.2222222222222222);
  close(recall(yp, yt, { average: "macro" }), 0.3333333333333333);
  // binary: y_true=[0,1,1,0,1], y_pred=[0,1,0,1,1] → p=2/3, r=2/3
  const b = precisionRecallF1([0, 1, 0, 1, 1], [0, 1, 1, 0, 1], { average: "binary" });
  close(b.precision, 2 / 3);
  close(b.recall, 2 / 3);
  close(b.f1, 2 / 3);
  assert.throws(() => f1(yp, yt, { average: "binary" }), /needs two classes/);
  assert.equal(f1([0, 0], [0, 0], { average: "binary" }), 0, "no positives: zero_division=0");
});

test("confusion matrix rows are references, columns predictions", () => {
  assert.deepEqual(confusionMatrix([0, 1, 1, 2], [0, 1, 2, 2], 3), [[1, 0, 0], [0, 1, 0], [0, 1, 1]]);
});

test("perplexity is exp of the mean loss", () => {
  close(perplexity(Math.log(7)), 7, 1e-12);
  close(perplexityFromSums(10 * Math.log(3), 10), 3, 1e-12);
  assert.throws(() => perplexityFromSums(1, 0), /no tokens were scored/);
});

test("SQuAD exact match and F1 normalise answers like the official script", () => {
  const r = squad(["The Eiffel Tower", "in Paris France"], [["Eiffel tower"], ["Paris", "Paris, France"]]);
  close(r.exact_match, 100 * (1 + 0) / 2);
  // second: best F1 vs "paris france" = 2*(2/3*1)/(2/3+1) = 0.8
  close(r.f1, 100 * (1 + 0.8) / 2, 1e-9);
  assert.equal(exactMatch(["a", "b"], ["a", "c"]), 0.5);
});

test("seqeval chunks BIO tags like conlleval and scores entities", () => {
  assert.deepEqual(getEntities(["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-ORG"]), [
    { type: "PER", start: 0, end: 1 }, { type: "LOC", start: 3, end: 4 }, { type: "ORG", start: 5, end: 5 },
  ]);
  // An I- after O starts an entity (lenient mode).
  assert.deepEqual(getEntities(["O", "I-MISC", "I-MISC"]), [{ type: "MISC", start: 1, end: 2 }]);
  // seqeval's README example: precision 0.5, recall 0.5, f1 0.5.
  const r = seqeval([["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]], [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]]);
  close(r.precision, 0.5);
  close(r.recall, 0.5);
  close(r.f1, 0.5);
});

test("compute_metrics helpers read logits and skip -100 labels", () => {
  const cls = classificationMetrics({ num_labels: 2 })({ predictions: [[2, 1], [0, 3], [1, 0]], label_ids: [0, 1, 1] });
  close(cls.accuracy, 2 / 3);
  const tok = tokenClassificationMetrics({ 0: "O", 1: "B-PER", 2: "I-PER" })({
    predictions: [[[0, 9, 0], [0, 0, 9], [9, 0, 0], [9, 0, 0]]],
    label_ids: [[-100, 1, 2, -100]],
  });
  assert.equal(tok.f1, 0, "predicted B-PER,I-PER shifted by the -100 position is compared after filtering");
  const tok2 = tokenClassificationMetrics({ 0: "O", 1: "B-PER", 2: "I-PER" })({
    predictions: [[[9, 0, 0], [0, 9, 0], [0, 0, 9], [9, 0, 0]]],
    label_ids: [[-100, 1, 2, -100]],
  });
  assert.equal(tok2.f1, 1);
  assert.equal(bestSpanText([0, 5, 1, 0], [0, 0, 6, 1], [null, [0, 5], [6, 11], null], "Hello world", 30), "Hello world");
});

test("classification metric names say what they average: f1 is the positive class's for two labels, macro_f1 and weighted_f1 always", () => {
  // preds [1, 1, 0, 0], gold [1, 0, 0, 0]: class 1 P 1/2 R 1 → F1 2/3; class 0 P 1 R 2/3 → F1 4/5;
  // macro (2/3 + 4/5) / 2; weighted by support (1 × 2/3 + 3 × 4/5) / 4.
  const logits = (ids: number[]) => ids.map((k) => (k === 1 ? [0, 1] : [1, 0]));
  const m = classificationMetrics({ num_labels: 2 })({ predictions: logits([1, 1, 0, 0]), label_ids: [1, 0, 0, 0] });
  close(m.f1, 2 / 3);
  close(m.macro_f1, (2 / 3 + 4 / 5) / 2);
  close(m.weighted_f1, (2 / 3 + 3 * (4 / 5)) / 4);
  const three = classificationMetrics({ num_labels: 3 })({ predictions: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], label_ids: [0, 1, 1] });
  close(three.f1, three.macro_f1, 1e-12);
});
