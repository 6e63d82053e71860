/** Accuracy: the share of predictions equal to their reference (evaluate's "accuracy"). */
export function accuracy(predictions, references) {
    checkSameLength("accuracy", predictions, references);
    if (predictions.length === 0)
        return 0;
    let hits = 0;
    for (let i = 0; i < predictions.length; i++)
        if (predictions[i] === references[i])
            hits++;
    return hits / predictions.length;
}
export function checkSameLength(where, predictions, references) {
    if (predictions.length !== references.length) {
        throw new RangeError(`[${where}] ${predictions.length} predictions but ${references.length} references; pass one prediction per reference`);
    }
}
//# sourceMappingURL=accuracy.js.map