function splitTag(tag) {
    if (tag === "O" || tag === "")
        return ["O", ""];
    const m = /^([BIESL U])[-_](.*)$/.exec(tag);
    if (m)
        return [m[1] === "L" ? "E" : m[1] === "U" ? "S" : m[1], m[2]];
    // A bare type ("PER") is read as I-PER, as seqeval does.
    return ["I", tag];
}
function endOfChunk(prevTag, tag, prevType, type) {
    if (prevTag === "E" || prevTag === "S")
        return true;
    if (prevTag === "B" && (tag === "B" || tag === "S" || tag === "O"))
        return true;
    if (prevTag === "I" && (tag === "B" || tag === "S" || tag === "O"))
        return true;
    return prevTag !== "O" && prevType !== type;
}
function startOfChunk(prevTag, tag, prevType, type) {
    if (tag === "B" || tag === "S")
        return true;
    if ((prevTag === "E" || prevTag === "S" || prevTag === "O") && (tag === "E" || tag === "I"))
        return true;
    return tag !== "O" && prevType !== type;
}
/** The chunks of one sentence's tags; `end` is inclusive, as seqeval's get_entities. */
export function getEntities(tags) {
    const out = [];
    let prevTag = "O";
    let prevType = "";
    let start = 0;
    [...tags, "O"].forEach((raw, i) => {
        const [tag, type] = splitTag(raw);
        if (endOfChunk(prevTag, tag, prevType, type) && prevTag !== "O")
            out.push({ type: prevType, start, end: i - 1 });
        if (startOfChunk(prevTag, tag, prevType, type))
            start = i;
        prevTag = tag;
        prevType = type;
    });
    return out;
}
export function seqeval(predictions, references) {
    if (predictions.length !== references.length) {
        throw new RangeError(`[seqeval] ${predictions.length} predicted sentences but ${references.length} reference sentences`);
    }
    const key = (s, e) => `${s}:${e.type}:${e.start}:${e.end}`;
    const stats = new Map();
    const bump = (type, field) => {
        const s = stats.get(type) ?? { tp: 0, pred: 0, gold: 0 };
        s[field]++;
        stats.set(type, s);
    };
    let correctTokens = 0;
    let totalTokens = 0;
    predictions.forEach((pred, s) => {
        const gold = references[s];
        if (pred.length !== gold.length) {
            throw new RangeError(`[seqeval] sentence ${s} has ${pred.length} predicted tags but ${gold.length} reference tags`);
        }
        gold.forEach((g, i) => {
            totalTokens++;
            if (g === pred[i])
                correctTokens++;
        });
        const goldSet = new Set(getEntities(gold).map((e) => key(s, e)));
        for (const e of getEntities(gold))
            bump(e.type, "gold");
        for (const e of getEntities(pred)) {
            bump(e.type, "pred");
            if (goldSet.has(key(s, e)))
                bump(e.type, "tp");
        }
    });
    const score = (tp, pred, gold) => {
        const precision = pred === 0 ? 0 : tp / pred;
        const recall = gold === 0 ? 0 : tp / gold;
        return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
    };
    const per_type = {};
    let tp = 0;
    let pred = 0;
    let gold = 0;
    for (const [type, s] of [...stats].sort(([a], [b]) => a.localeCompare(b))) {
        per_type[type] = { ...score(s.tp, s.pred, s.gold), number: s.gold };
        tp += s.tp;
        pred += s.pred;
        gold += s.gold;
    }
    return { ...score(tp, pred, gold), accuracy: totalTokens === 0 ? 0 : correctTokens / totalTokens, per_type };
}
//# sourceMappingURL=seqeval.js.map