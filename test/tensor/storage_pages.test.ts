// Large tensor storage has pages of its own: what the buffer cache lets go returns to the OS at
// once (resident memory drops, no garbage collection needed), and live plus cached bytes never
// exceed the peak of live bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { bufferCache, scope, zeros } from "../../src/index.js";
import { MAX_LEARNED_SLACK, PAGED_MIN_BYTES, PEAK_SLACK } from "../../src/tensor/storage.js";

const MiB = 1024 ** 2;
function rssBytes(): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))![1]) * 1024;
}

test("a released 256 MiB tensor's memory is back with the OS after trim(), without a GC", () => {
  bufferCache.trim();
  const before = rssBytes();
  const t = scope(() => zeros([64 * MiB]).add(1)); // 256 MiB, every page written (the zeros go back to the cache)
  assert.ok(bufferCache.isPaged(t.data.buffer as ArrayBuffer), "a large buffer is page-backed");
  const held = rssBytes();
  assert.ok(held - before > 200 * MiB, `resident memory grew by ${(held - before) / MiB} MiB while the tensor lived`);
  t.dispose();
  bufferCache.trim();
  const after = rssBytes();
  assert.ok(after - before < 48 * MiB, `${(after - before) / MiB} MiB still resident after dispose + trim`);
  assert.equal(bufferCache.stats().cached_bytes, 0);
});

test("small buffers stay V8's (no mapping per tensor); large ones start at PAGED_MIN_BYTES", () => {
  const small = zeros([16]);
  const large = zeros([PAGED_MIN_BYTES / 4]);
  assert.equal(bufferCache.isPaged(small.data.buffer as ArrayBuffer), false);
  assert.equal(bufferCache.isPaged(large.data.buffer as ArrayBuffer), true);
  small.dispose();
  large.dispose();
});

test("live plus cached bytes stay within the peak of live bytes (plus its slack, or the floor) through changing shapes", () => {
  bufferCache.trim();
  bufferCache.resetPeak();
  let seed = 3;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let step = 0; step < 60; step++) {
    scope(() => {
      const rows = 1 + Math.floor(rand() * 4096);
      const h = zeros([rows, 512]).add(1);
      return h.mul(h).add(h).sum().item();
    });
    const s = bufferCache.stats();
    assert.ok(s.live_bytes + s.cached_bytes <= Math.max(s.peak_live_bytes * (1 + PEAK_SLACK + MAX_LEARNED_SLACK), s.live_bytes + bufferCache.minLimitBytes),
      `step ${step}: live ${s.live_bytes} + cached ${s.cached_bytes} > peak ${s.peak_live_bytes}`);
  }
  bufferCache.trim();
  assert.equal(bufferCache.stats().cached_bytes, 0, "trim() empties the cache");
});

// A step whose buffers of one size are free while others are live needs more than its peak of
// live bytes (BERT-small's full step: the forward's activations, then the embedding gradient).
// Bounded at the peak plus PEAK_SLACK, every step missed, evicted what it needed next and
// missed again; the cache learns the footprint from the sizes it evicted and then needed.
test("the cache learns a footprint above the peak of live bytes, so a repeated step stops missing", () => {
  const savedMin = bufferCache.minLimitBytes;
  bufferCache.minLimitBytes = 1 * MiB;
  bufferCache.trim();
  bufferCache.resetPeak();
  try {
    // Earlier tests in this process may keep tensors alive: size the chunks so that the second
    // phase's buffer exceeds the peak's slack whatever those live bytes are. 2.5 chunks: no
    // chunk can stand in for it, nor it for a chunk (the cache lends buffers up to 2x the size).
    const base = bufferCache.stats().live_bytes;
    let chunk = 2 * MiB;
    while (2.5 * chunk <= 2 * (base + 10 * chunk) * PEAK_SLACK) chunk *= 2;
    const step = () => {
      scope(() => Array.from({ length: 10 }, () => zeros([chunk / 4])).length); // 10 chunks live
      scope(() => zeros([(2.5 * chunk) / 4]).numel); // then 2.5 chunks while those 10 are free
    };
    const missesOf = () => bufferCache.stats().misses;
    for (let i = 0; i < 4; i++) step();
    const m0 = missesOf();
    for (let i = 0; i < 6; i++) step();
    assert.equal(missesOf() - m0, 0, "a repeated step still misses");
    const s = bufferCache.stats();
    assert.ok(s.learned_slack_bytes > 0, "the bound had to grow past the peak's slack");
    assert.ok(s.learned_slack_bytes <= s.peak_live_bytes * MAX_LEARNED_SLACK);
    assert.ok(s.live_bytes + s.cached_bytes <= s.peak_live_bytes * (1 + PEAK_SLACK + MAX_LEARNED_SLACK), `the cache keeps ${s.cached_bytes / MiB} MiB past a peak of ${s.peak_live_bytes / MiB} MiB`);
    bufferCache.trim();
    assert.equal(bufferCache.stats().learned_slack_bytes, 0, "trim() forgets what it learned");
  } finally {
    bufferCache.minLimitBytes = savedMin;
    bufferCache.trim();
  }
});
