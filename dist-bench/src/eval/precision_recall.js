/**
 * Precision, recall and F1 with sklearn's `average` modes: "binary" (the positive class,
 * pos_label 1), "micro" (pooled counts), "macro" (unweighted mean over classes), "weighted"
 * (mean weighted by support). A class with no predicted (or no true) examples scores 0, as
 * sklearn's zero_division=0.
 */
import { checkSameLength } from "./accuracy.js";
function countsPerClass(predictions, references, labels) {
    const counts = new Map(labels.map((l) => [l, { tp: 0, fp: 0, fn: 0, support: 0 }]));
    for (let i = 0; i < predictions.length; i++) {
        const p = predictions[i];
        const r = references[i];
        const cr = counts.get(r);
        if (cr)
            cr.support++;
        if (p === r) {
            if (cr)
                cr.tp++;
        }
        else {
            const cp = counts.get(p);
            if (cp)
                cp.fp++;
            if (cr)
                cr.fn++;
        }
    }
    return counts;
}
const ratio = (a, b) => (b === 0 ? 0 : a / b);
const harmonic = (p, r) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));
export function precisionRecallF1(predictions, references, opts = {}) {
    checkSameLength("precision_recall_f1", predictions, references);
    const average = opts.average ?? "binary";
    if (!["binary", "micro", "macro", "weighted"].includes(average)) {
        throw new RangeError(`[f1] average must be binary, micro, macro or weighted, got "${average}"`);
    }
    const seen = [...new Set([...predictions, ...references])].sort((a, b) => a - b);
    if (average === "binary") {
        if (seen.length > 2) {
            throw new RangeError(`[f1] average "binary" needs two classes but the data has ${seen.length} (${seen.join(", ")}); use average "macro" or "micro"`);
        }
        const c = countsPerClass(predictions, references, [opts.pos_label ?? 1]).get(opts.pos_label ?? 1);
        const precision = ratio(c.tp, c.tp + c.fp);
        const recall = ratio(c.tp, c.tp + c.fn);
        return { precision, recall, f1: harmonic(precision, recall) };
    }
    const labels = opts.labels ?? seen;
    const counts = [...countsPerClass(predictions, references, labels).values()];
    if (average === "micro") {
        const tp = counts.reduce((s, c) => s + c.tp, 0);
        const fp = counts.reduce((s, c) => s + c.fp, 0);
        const fn = counts.reduce((s, c) => s + c.fn, 0);
        const precision = ratio(tp, tp + fp);
        const recall = ratio(tp, tp + fn);
        return { precision, recall, f1: harmonic(precision, recall) };
    }
    const per = counts.map((c) => {
        const p = ratio(c.tp, c.tp + c.fp);
        const r = ratio(c.tp, c.tp + c.fn);
        return { p, r, f: harmonic(p, r), w: c.support };
    });
    const totalSupport = per.reduce((s, x) => s + x.w, 0);
    const weight = (x) => (average === "weighted" ? ratio(x.w, totalSupport) : 1 / Math.max(per.length, 1));
    return {
        precision: per.reduce((s, x) => s + weight(x) * x.p, 0),
        recall: per.reduce((s, x) => s + weight(x) * x.r, 0),
        f1: per.reduce((s, x) => s + weight(x) * x.f, 0),
    };
}
export function precision(predictions, references, opts = {}) {
    return precisionRecallF1(predictions, references, opts).precision;
}
export function recall(predictions, references, opts = {}) {
    return precisionRecallF1(predictions, references, opts).recall;
}
//# sourceMappingURL=precision_recall.js.map