/**
 * Extractive-QA scores as the official SQuAD v1.1 script computes them: answers are
 * normalised (lower case, punctuation and the articles a/an/the removed, whitespace
 * collapsed); exact match is 0/1 and F1 is token overlap, each the max over the gold answers.
 */
import { checkSameLength } from "./accuracy.js";
export function normalizeAnswer(s) {
    return s
        .toLowerCase()
        .replace(/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g, "")
        .replace(/\b(a|an|the)\b/g, " ")
        .split(/\s+/)
        .filter(Boolean)
        .join(" ");
}
export function exactMatchScore(prediction, truth) {
    return normalizeAnswer(prediction) === normalizeAnswer(truth) ? 1 : 0;
}
export function squadF1Score(prediction, truth) {
    const p = normalizeAnswer(prediction).split(" ").filter(Boolean);
    const t = normalizeAnswer(truth).split(" ").filter(Boolean);
    if (p.length === 0 || t.length === 0)
        return p.length === t.length ? 1 : 0;
    const counts = new Map();
    for (const w of t)
        counts.set(w, (counts.get(w) ?? 0) + 1);
    let same = 0;
    for (const w of p) {
        const c = counts.get(w) ?? 0;
        if (c > 0) {
            same++;
            counts.set(w, c - 1);
        }
    }
    if (same === 0)
        return 0;
    const precision = same / p.length;
    const recall = same / t.length;
    return (2 * precision * recall) / (precision + recall);
}
/** Mean exact match (0..100 scale as the SQuAD script) over examples with several gold answers. */
export function squad(predictions, references) {
    checkSameLength("squad", predictions, references);
    if (predictions.length === 0)
        return { exact_match: 0, f1: 0 };
    let em = 0;
    let f1 = 0;
    predictions.forEach((p, i) => {
        const golds = references[i].length ? references[i] : [""];
        em += Math.max(...golds.map((g) => exactMatchScore(p, g)));
        f1 += Math.max(...golds.map((g) => squadF1Score(p, g)));
    });
    return { exact_match: (100 * em) / predictions.length, f1: (100 * f1) / predictions.length };
}
/** Plain exact match over strings (evaluate's "exact_match", no normalisation), 0..1. */
export function exactMatch(predictions, references) {
    checkSameLength("exact_match", predictions, references);
    if (predictions.length === 0)
        return 0;
    return predictions.filter((p, i) => p === references[i]).length / predictions.length;
}
//# sourceMappingURL=exact_match.js.map