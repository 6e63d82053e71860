// Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers:
// as easy as 1, 2, 3", SC 2011; the generator behind torch's CUDA RNG and JAX).
//
// Element e of a stream (e = offset + i) takes lane e % 4 of the block
// philox(counter = e / 4, key = seed), so it depends only on (seed, offset + i): never on
// the thread count or on how a tensor is split into calls.
// - uniform: the top 24 bits of the lane, u = bits * 2^-24 in [0, 1).
// - normal: Box-Muller on lane pairs (0, 1) and (2, 3) of a block: the even lane takes the
//   cosine and the odd lane the sine, from u1 in (0, 1] (so log(u1) is finite) and u2.
// - dropout: element i is kept iff uniform(seed, offset 0)[i] >= p, so a mask equals
//   random_uniform(seed, 0) >= p, and backward regenerates it by calling dropout on dy.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels.h"
#include "thread_pool.h"

namespace tl {
namespace {

constexpr int64_t kGrain = 8192;  // elements per thread (a block costs ~40 integer ops)
constexpr float kTwoPi = 6.28318530717958648f;
constexpr float kInv2p24 = 5.9604644775390625e-8f;  // 2^-24

struct Block {
  uint32_t v[4];
};

Block philox4x32_10(uint64_t counter, uint64_t seed) {
  uint32_t c0 = uint32_t(counter), c1 = uint32_t(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t(0xD2511F53u) * c0;
    const uint64_t p1 = uint64_t(0xCD9E8D57u) * c2;
    const uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = uint32_t(p0 >> 32) ^ c3 ^ k1;
    c1 = uint32_t(p1);
    c3 = uint32_t(p0);
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return {{c0, c1, c2, c3}};
}

inline float to_unit(uint32_t bits) { return float(bits >> 8) * kInv2p24; }

// Calls fn(i, block, lane) for i in [begin, end), computing each block once.
template <class F>
void for_each_lane(uint64_t seed, uint64_t offset, int64_t begin, int64_t end, F&& fn) {
  int64_t i = begin;
  while (i < end) {
    const uint64_t e = offset + uint64_t(i);
    const Block blk = philox4x32_10(e >> 2, seed);
    for (uint32_t lane = uint32_t(e & 3); lane < 4 && i < end; ++lane, ++i) fn(i, blk, lane);
  }
}

}  // namespace

void random_uniform(float* out, int64_t n, uint64_t seed, uint64_t offset, float low,
                    float high) {
  const float range = high - low;
  parallel_for(n, kGrain, [&](int, int64_t b, int64_t e) {
    for_each_lane(seed, offset, b, e, [&](int64_t i, const Block& blk, uint32_t lane) {
      out[i] = low + range * to_unit(blk.v[lane]);
    });
  });
}

void random_normal(float* out, int64_t n, uint64_t seed, uint64_t offset, float mean,
                   float std) {
  parallel_for(n, kGrain, [&](int, int64_t b, int64_t e) {
    for_each_lane(seed, offset, b, e, [&](int64_t i, const Block& blk, uint32_t lane) {
      const uint32_t pair = lane & ~1u;
      const float u1 = float((blk.v[pair] >> 8) + 1) * kInv2p24;  // (0, 1]
      const float u2 = to_unit(blk.v[pair + 1]);
      const float radius = std::sqrt(-2.f * std::log(u1));
      const float angle = kTwoPi * u2;
      const float z = radius * ((lane & 1) ? std::sin(angle) : std::cos(angle));
      out[i] = mean + std * z;
    });
  });
}

void dropout_forward(float* out, const float* x, int64_t n, float p, uint64_t seed) {
  if (n <= 0) return;
  if (p <= 0.f) {
    if (out != x) {
      parallel_for(n, 4 * kGrain, [&](int, int64_t b, int64_t e) {
        std::memcpy(out + b, x + b, (e - b) * sizeof(float));
      });
    }
    return;
  }
  if (p >= 1.f) {
    parallel_for(n, 4 * kGrain, [&](int, int64_t b, int64_t e) { std::fill(out + b, out + e, 0.f); });
    return;
  }
  const float scale = 1.f / (1.f - p);
  parallel_for(n, kGrain, [&](int, int64_t b, int64_t e) {
    for_each_lane(seed, 0, b, e, [&](int64_t i, const Block& blk, uint32_t lane) {
      out[i] = to_unit(blk.v[lane]) >= p ? x[i] * scale : 0.f;
    });
  });
}

}  // namespace tl
