// The warpers and the penalty against transformers' rules, on scores worked out by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SeededRandom } from "../../src/tensor/index.js";
import { applyRepetitionPenalty, topK, topP, minP, softmax, sample, chooseToken } from "../../src/generate/logits_process.js";

const kept = (s: Float64Array) => [...s].flatMap((v, i) => (v === -Infinity ? [] : [i]));

test("top-k keeps the k best and every score tied with the k-th (transformers: scores < k-th are removed)", () => {
  const s = Float64Array.from([1, 3, 2, 3, 0]);
  topK(s, 2);
  assert.deepEqual(kept(s), [1, 3]);
  const ties = Float64Array.from([1, 3, 2, 2, 0]);
  topK(ties, 2);
  assert.deepEqual(kept(ties), [1, 2, 3]);
  const big = Float64Array.from([1, 2]);
  topK(big, 10);
  assert.deepEqual(kept(big), [0, 1]);
});

test("top-p removes tokens whose ascending cumulative probability is <= 1 - top_p, keeping the best", () => {
  // probabilities 0.1, 0.2, 0.3, 0.4 (log scores): ascending cumsum 0.1, 0.3, 0.6, 1.0
  const probs = [0.1, 0.2, 0.3, 0.4];
  const run = (p: number) => {
    const s = Float64Array.from(probs, Math.log);
    topP(s, p);
    return kept(s);
  };
  assert.deepEqual(run(0.65), [2, 3]);
  assert.deepEqual(run(0.5), [2, 3]);
  assert.deepEqual(run(0.35), [3]);
  assert.deepEqual(run(0), [3], "top_p 0 keeps the most likely token");
  assert.deepEqual(run(1), [0, 1, 2, 3]);
});

test("min-p removes probabilities below min_p x the top one, keeping the top token", () => {
  const s = Float64Array.from([0.5, 0.3, 0.15, 0.05], Math.log);
  minP(s, 0.4); // threshold 0.2
  assert.deepEqual(kept(s), [0, 1]);
  const all = Float64Array.from([0.5, 0.5], Math.log);
  minP(all, 1);
  assert.deepEqual(kept(all), [0, 1]);
});

test("repetition penalty divides positive and multiplies negative scores of seen tokens, once each", () => {
  const s = Float64Array.from([2, -2, 1, 4]);
  applyRepetitionPenalty(s, [0, 1, 1, 1, 9], 2);
  assert.deepEqual([...s], [1, -4, 1, 4]);
});

test("sampling draws in proportion to the probabilities and never a removed token", () => {
  const rng = new SeededRandom(1);
  const probs = softmax(Float64Array.from([Math.log(0.2), Math.log(0.8), -Infinity]));
  const counts = [0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[sample(probs, rng)]++;
  assert.equal(counts[2], 0);
  assert.ok(Math.abs(counts[1] / 20000 - 0.8) < 0.02, `token 1 drawn ${counts[1]} / 20000 times`);
  const logits = Float32Array.from([0, 5, 1, 4.9]);
  const greedy = { do_sample: false, temperature: 1, top_k: 0, top_p: 1, min_p: null, repetition_penalty: 1 };
  assert.equal(chooseToken(logits, [], greedy, null), 1);
  assert.equal(chooseToken(logits, [1], { ...greedy, repetition_penalty: 2 }, null), 3);
  const sampled = new Set(Array.from({ length: 200 }, () => chooseToken(logits, [], { ...greedy, do_sample: true, top_k: 2 }, rng)));
  assert.deepEqual([...sampled].sort(), [1, 3], "top_k 2 samples only the two best");
});
