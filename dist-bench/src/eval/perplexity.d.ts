/**
 * Perplexity from a mean token cross-entropy (nats): exp(loss), the number HF reports as
 * `math.exp(eval_loss)` after a causal- or masked-LM evaluation.
 */
export declare function perplexity(meanLoss: number): number;
/** Perplexity from per-token losses summed over batches: exp(sum / count). */
export declare function perplexityFromSums(lossSum: number, tokenCount: number): number;
