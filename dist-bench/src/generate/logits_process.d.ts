/**
 * The next-token choice of one row, with transformers' logits processors in transformers'
 * order: repetition penalty (a processor: greedy applies it too), then, when sampling, the
 * warpers temperature → top-k → top-p → min-p, then a draw from the softmax. Each warper
 * follows its transformers class to the edge cases: top-k keeps every token tied with the
 * k-th score, top-p removes tokens whose ascending cumulative probability is <= 1 - top_p
 * and always keeps the most likely one, min-p compares probabilities with min_p times the
 * top probability and keeps the top token. Scores are processed in float64.
 */
import { SeededRandom } from "../tensor/index.js";
/** The per-row knobs (already validated, see options.ts). */
export interface SamplingParams {
    do_sample: boolean;
    temperature: number;
    /** 0 disables top-k. */
    top_k: number;
    /** 1 disables top-p. */
    top_p: number;
    /** null disables min-p. */
    min_p: number | null;
    /** 1 disables the penalty. */
    repetition_penalty: number;
}
/**
 * The token for one row: `logits` are the model's last-position scores (V), `seen` the
 * tokens the penalty applies to (the prompt and what was generated, without padding),
 * `rng` the row's generator (used only when sampling).
 */
export declare function chooseToken(logits: Float32Array, seen: Iterable<number>, p: SamplingParams, rng: SeededRandom | null): number;
/** transformers' RepetitionPenaltyLogitsProcessor: each seen token once, negative scores multiplied, positive divided. */
export declare function applyRepetitionPenalty(scores: Float64Array, seen: Iterable<number>, penalty: number): void;
/** First index of the largest score (torch.argmax's tie rule). */
export declare function argmax(scores: ArrayLike<number>): number;
/** TopKLogitsWarper: scores below the k-th largest become -inf (ties with it stay). */
export declare function topK(scores: Float64Array, k: number): void;
/** TopPLogitsWarper: sorted ascending, tokens whose cumulative probability is <= 1 - top_p go; the top token stays. */
export declare function topP(scores: Float64Array, topP: number): void;
/** MinPLogitsWarper: probabilities below min_p x the top probability go; the top token stays. */
export declare function minP(scores: Float64Array, minP: number): void;
export declare function softmax(scores: Float64Array): Float64Array;
/** One draw from `probs` (torch.multinomial with one sample): the first index whose cumulative mass passes u. */
export declare function sample(probs: Float64Array, rng: SeededRandom): number;
