/**
 * The evaluation / prediction loop: batches in dataset order under noGrad, each inside a
 * scope so memory stays flat; what leaves a batch is plain numbers (loss, logits rows,
 * labels). Loss is averaged per example, as HF's Trainer does; for language models the
 * token-weighted mean is kept as well, so perplexity is exp of the mean loss per scored token
 * whatever the batch lengths.
 */
import { noGrad, scope } from "../tensor/index.js";
import { computeLoss } from "./loss.js";
/** Tokens a language-model loss averaged over: labels other than -100, after the causal shift. */
function scoredTokens(labels, mode) {
    const v = labels.toFloat32Array();
    const T = labels.shape[labels.ndim - 1];
    let n = 0;
    for (let i = 0; i < v.length; i++)
        if (v[i] !== -100 && (mode === "all" || i % T !== 0))
            n++;
    return n;
}
/** Rows of a (B, ...) tensor as nested arrays, trimmed to `lengths[i]` on dim 1 when given. */
function rowsOf(t, lengths) {
    const list = t.tolist();
    return lengths ? list.map((r, i) => (Array.isArray(r) ? r.slice(0, lengths[i]) : r)) : list;
}
export function evaluationLoop(o) {
    const start = performance.now();
    const { model, dataset } = o;
    o.model.eval();
    let lossSum = 0;
    let lossCount = 0;
    const predictions = [];
    const label_ids = [];
    const inputs = [];
    const tokenLoss = { sum: 0, count: 0 };
    try {
        for (let s = 0; s < dataset.length; s += o.batchSize) {
            const rows = dataset.rows.slice(s, s + o.batchSize);
            const lengths = rows.map((r) => r.input_ids.length);
            const r = scope(() => noGrad(() => {
                const batch = o.collate(rows);
                const { loss: lossTensor, outputs: out } = computeLoss(model, batch, o.labelSmoothing ?? 0);
                const loss = lossTensor ? lossTensor.item() : null;
                const perToken = out.logits.ndim === 3;
                let preds = [];
                if (o.collectPredictions) {
                    if (out.start_logits && out.end_logits) {
                        const st = rowsOf(out.start_logits, lengths);
                        const en = rowsOf(out.end_logits, lengths);
                        preds = st.map((x, i) => [x, en[i]]);
                    }
                    else {
                        // (B, T, C) outputs are per token: keep each example's real length only.
                        const logits = o.preprocessLogits ? o.preprocessLogits(out.logits, batch.labels) : out.logits;
                        preds = rowsOf(logits, perToken ? lengths : undefined);
                    }
                }
                const labels = o.collectPredictions && batch.labels ? rowsOf(batch.labels, perToken && batch.labels.ndim === 2 ? lengths : undefined) : [];
                const tokens = o.countTokens && batch.labels && loss !== null ? scoredTokens(batch.labels, o.countTokens) : 0;
                return { loss, preds, labels, tokens };
            }));
            if (r.loss !== null) {
                lossSum += r.loss * rows.length;
                lossCount += rows.length;
                tokenLoss.sum += r.loss * r.tokens;
                tokenLoss.count += r.tokens;
            }
            predictions.push(...r.preds);
            label_ids.push(...r.labels);
            if (o.inputColumns?.length)
                for (const row of rows)
                    inputs.push(Object.fromEntries(o.inputColumns.map((c) => [c, row[c]])));
        }
    }
    finally {
        model.train();
    }
    return {
        loss: lossCount ? lossSum / lossCount : null,
        predictions,
        label_ids,
        inputs: o.inputColumns?.length ? inputs : undefined,
        numExamples: dataset.length,
        runtime: (performance.now() - start) / 1000,
        ...(o.countTokens ? { tokenLoss } : {}),
    };
}
//# sourceMappingURL=evaluation_loop.js.map