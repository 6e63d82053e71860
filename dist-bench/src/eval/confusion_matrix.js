/** Confusion matrix: rows are references, columns predictions (sklearn's layout). */
import { checkSameLength } from "./accuracy.js";
export function confusionMatrix(predictions, references, numLabels) {
    checkSameLength("confusion_matrix", predictions, references);
    const n = numLabels ?? Math.max(-1, ...predictions, ...references) + 1;
    const m = Array.from({ length: n }, () => new Array(n).fill(0));
    for (let i = 0; i < predictions.length; i++) {
        const r = references[i];
        const p = predictions[i];
        if (r < 0 || r >= n || p < 0 || p >= n) {
            throw new RangeError(`[confusion_matrix] label ${r < 0 || r >= n ? r : p} at ${i} is outside [0, ${n}); pass numLabels covering every class`);
        }
        m[r][p]++;
    }
    return m;
}
/** Renders the matrix with label names, for logs and the CLI. */
export function formatConfusionMatrix(matrix, labels) {
    const names = labels ?? matrix.map((_, i) => String(i));
    const width = Math.max(4, ...names.map((s) => s.length), ...matrix.flat().map((v) => String(v).length));
    const pad = (s) => s.padStart(width);
    const lines = [`${pad("ref\\pred")} ${names.map(pad).join(" ")}`];
    matrix.forEach((row, i) => lines.push(`${pad(names[i])} ${row.map((v) => pad(String(v))).join(" ")}`));
    return lines.join("\n");
}
//# sourceMappingURL=confusion_matrix.js.map