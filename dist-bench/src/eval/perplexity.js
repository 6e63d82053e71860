/**
 * Perplexity from a mean token cross-entropy (nats): exp(loss), the number HF reports as
 * `math.exp(eval_loss)` after a causal- or masked-LM evaluation.
 */
export function perplexity(meanLoss) {
    if (!Number.isFinite(meanLoss))
        return Number.POSITIVE_INFINITY;
    // exp overflows to Infinity past ~709; that is the honest answer for a diverged model.
    return Math.exp(meanLoss);
}
/** Perplexity from per-token losses summed over batches: exp(sum / count). */
export function perplexityFromSums(lossSum, tokenCount) {
    if (tokenCount <= 0)
        throw new RangeError(`[perplexity] no tokens were scored (count ${tokenCount}); check that labels are not all -100`);
    return perplexity(lossSum / tokenCount);
}
//# sourceMappingURL=perplexity.js.map