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
export function chooseToken(logits: Float32Array, seen: Iterable<number>, p: SamplingParams, rng: SeededRandom | null): number {
  // Plain greedy needs no float64 copy: float32 -> float64 keeps the order (and the first maximum).
  if (!p.do_sample && p.repetition_penalty === 1) return argmax(logits);
  const scores = Float64Array.from(logits);
  if (p.repetition_penalty !== 1) applyRepetitionPenalty(scores, seen, p.repetition_penalty);
  if (!p.do_sample) return argmax(scores);
  if (p.temperature !== 1) for (let i = 0; i < scores.length; i++) scores[i] /= p.temperature;
  if (p.top_k > 0) topK(scores, p.top_k);
  if (p.top_p < 1) topP(scores, p.top_p);
  if (p.min_p !== null) minP(scores, p.min_p);
  if (!rng) throw new Error("[generate] sampling needs a random generator");
  return sample(softmax(scores), rng);
}

/** transformers' RepetitionPenaltyLogitsProcessor: each seen token once, negative scores multiplied, positive divided. */
export function applyRepetitionPenalty(scores: Float64Array, seen: Iterable<number>, penalty: number): void {
  for (const t of new Set(seen)) {
    if (t < 0 || t >= scores.length) continue;
    const s = scores[t];
    scores[t] = s < 0 ? s * penalty : s / penalty;
  }
}

/** First index of the largest score (torch.argmax's tie rule). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** TopKLogitsWarper: scores below the k-th largest become -inf (ties with it stay). */
export function topK(scores: Float64Array, k: number): void {
  const kk = Math.min(Math.max(k, 1), scores.length);
  const sorted = Float64Array.from(scores).sort();
  const threshold = sorted[sorted.length - kk];
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) scores[i] = -Infinity;
}

/** TopPLogitsWarper: sorted ascending, tokens whose cumulative probability is <= 1 - top_p go; the top token stays. */
export function topP(scores: Float64Array, topP: number): void {
  const order = ascendingOrder(scores);
  const probs = softmax(Float64Array.from(order, (i) => scores[i]));
  let cumulative = 0;
  for (let r = 0; r < order.length - 1; r++) {
    cumulative += probs[r];
    if (cumulative <= 1 - topP) scores[order[r]] = -Infinity;
  }
}

/** MinPLogitsWarper: probabilities below min_p x the top probability go; the top token stays. */
export function minP(scores: Float64Array, minP: number): void {
  const probs = softmax(scores);
  const top = argmax(probs);
  const threshold = minP * probs[top];
  for (let i = 0; i < scores.length; i++) if (i !== top && probs[i] < threshold) scores[i] = -Infinity;
}

/** Indices sorted by score, ascending (stable, so equal scores keep index order). */
function ascendingOrder(scores: Float64Array): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  return order.sort((a, b) => scores[a] - scores[b] || a - b);
}

export function softmax(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of scores) if (s > max) max = s;
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += out[i] = scores[i] === -Infinity ? 0 : Math.exp(scores[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** One draw from `probs` (torch.multinomial with one sample): the first index whose cumulative mass passes u. */
export function sample(probs: Float64Array, rng: SeededRandom): number {
  const u = rng.next();
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last; // rounding left u above the total: the last token with mass
}
