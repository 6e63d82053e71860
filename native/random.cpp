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
// Blocks are generated 16 (AVX-512) or 8 (AVX2) at a time into a small buffer of words,
// then turned into numbers; every path gives the same bits (the rounds are integer
// arithmetic, and the float steps round the same way), at any thread count.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

constexpr int64_t kRandGrain = 8192;  // elements per thread (a block costs ~40 integer ops)
constexpr int64_t kChunk = 1024;      // elements whose words are generated at once (4 KiB)
constexpr float kTwoPi = 6.28318530717958648f;
constexpr float kInv2p24 = 5.9604644775390625e-8f;  // 2^-24

constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr uint32_t kBump0 = 0x9E3779B9u, kBump1 = 0xBB67AE85u;

// ---------------------------------------------------------------------------------------
// Philox4x32-10 blocks: words[4 k + j] = word j of philox(counter = first + k, key = seed)
// for k in [0, nblocks). The scalar form is the reference; the vector forms run 8 or 16
// blocks side by side (one block per 32-bit lane, one register per word) and give the
// same bits: the rounds are exact integer arithmetic.

void philox_block(uint32_t* w, uint64_t counter, uint64_t seed) {
  uint32_t c0 = uint32_t(counter), c1 = uint32_t(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    const uint64_t p0 = uint64_t(kMul0) * c0;
    const uint64_t p1 = uint64_t(kMul1) * c2;
    const uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = uint32_t(p0 >> 32) ^ c3 ^ k1;
    c1 = uint32_t(p1);
    c3 = uint32_t(p0);
    c0 = n0;
    c2 = n2;
    k0 += kBump0;
    k1 += kBump1;
  }
  w[0] = c0, w[1] = c1, w[2] = c2, w[3] = c3;
}

void philox_blocks_portable(uint32_t* words, uint64_t first, int64_t nblocks, uint64_t seed) {
  for (int64_t k = 0; k < nblocks; ++k) philox_block(words + 4 * k, first + uint64_t(k), seed);
}

#if defined(__x86_64__)
// hi and lo 32 bits of the 8 products m * c (unsigned): _mm256_mul_epu32 multiplies the
// even lanes; the odd lanes go through a 64-bit shift.
TL_AVX2 inline void mul_hilo8(__m256i c, __m256i m, __m256i* hi, __m256i* lo) {
  const __m256i even = _mm256_mul_epu32(c, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(c, 32), m);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

// Blocks first .. first + 7; the low counter word must not wrap inside the group.
TL_AVX2 void philox8(uint32_t* words, uint64_t first, uint64_t seed) {
  __m256i c0 = _mm256_add_epi32(_mm256_set1_epi32(int(uint32_t(first))),
                                _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  __m256i c1 = _mm256_set1_epi32(int(uint32_t(first >> 32)));
  __m256i c2 = _mm256_setzero_si256(), c3 = c2;
  const __m256i m0 = _mm256_set1_epi32(int(kMul0)), m1 = _mm256_set1_epi32(int(kMul1));
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    __m256i hi0, lo0, hi1, lo1;
    mul_hilo8(c0, m0, &hi0, &lo0);
    mul_hilo8(c2, m1, &hi1, &lo1);
    c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(int(k0)));
    c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(int(k1)));
    c1 = lo1;
    c3 = lo0;
    k0 += kBump0;
    k1 += kBump1;
  }
  // (word j of blocks 0..7) x 4 -> block-major: a 4x4 transpose in each 128-bit half, then
  // the halves regrouped.
  __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpackhi_epi32(c0, c1);
  __m256i t2 = _mm256_unpacklo_epi32(c2, c3), t3 = _mm256_unpackhi_epi32(c2, c3);
  __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
  __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
  auto* out = reinterpret_cast<__m256i*>(words);
  _mm256_storeu_si256(out + 0, _mm256_permute2x128_si256(u0, u1, 0x20));  // blocks 0, 1
  _mm256_storeu_si256(out + 1, _mm256_permute2x128_si256(u2, u3, 0x20));  // 2, 3
  _mm256_storeu_si256(out + 2, _mm256_permute2x128_si256(u0, u1, 0x31));  // 4, 5
  _mm256_storeu_si256(out + 3, _mm256_permute2x128_si256(u2, u3, 0x31));  // 6, 7
}

TL_AVX512 inline void mul_hilo16(__m512i c, __m512i m, __m512i* hi, __m512i* lo) {
  const __m512i even = _mm512_mul_epu32(c, m);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(c, 32), m);
  *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

// Blocks first .. first + 15; the low counter word must not wrap inside the group.
TL_AVX512 void philox16(uint32_t* words, uint64_t first, uint64_t seed) {
  __m512i c0 = _mm512_add_epi32(
      _mm512_set1_epi32(int(uint32_t(first))),
      _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
  __m512i c1 = _mm512_set1_epi32(int(uint32_t(first >> 32)));
  __m512i c2 = _mm512_setzero_si512(), c3 = c2;
  const __m512i m0 = _mm512_set1_epi32(int(kMul0)), m1 = _mm512_set1_epi32(int(kMul1));
  uint32_t k0 = uint32_t(seed), k1 = uint32_t(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    __m512i hi0, lo0, hi1, lo1;
    mul_hilo16(c0, m0, &hi0, &lo0);
    mul_hilo16(c2, m1, &hi1, &lo1);
    c0 = _mm512_ternarylogic_epi32(hi1, c1, _mm512_set1_epi32(int(k0)), 0x96);  // a ^ b ^ c
    c2 = _mm512_ternarylogic_epi32(hi0, c3, _mm512_set1_epi32(int(k1)), 0x96);
    c1 = lo1;
    c3 = lo0;
    k0 += kBump0;
    k1 += kBump1;
  }
  // Block-major: interleave words within 128-bit lanes, then gather each block pair's
  // 128-bit lanes in order.
  __m512i t0 = _mm512_unpacklo_epi32(c0, c1), t1 = _mm512_unpackhi_epi32(c0, c1);
  __m512i t2 = _mm512_unpacklo_epi32(c2, c3), t3 = _mm512_unpackhi_epi32(c2, c3);
  // u0: blocks 0,4,8,12; u1: 1,5,9,13; u2: 2,6,10,14; u3: 3,7,11,15 (one per 128-bit lane)
  __m512i u0 = _mm512_unpacklo_epi64(t0, t2), u1 = _mm512_unpackhi_epi64(t0, t2);
  __m512i u2 = _mm512_unpacklo_epi64(t1, t3), u3 = _mm512_unpackhi_epi64(t1, t3);
  // v0: blocks 0,4,1,5 ; v1: 8,12,9,13 ; v2: 2,6,3,7 ; v3: 10,14,11,15
  __m512i v0 = _mm512_shuffle_i32x4(u0, u1, 0x44), v1 = _mm512_shuffle_i32x4(u0, u1, 0xEE);
  __m512i v2 = _mm512_shuffle_i32x4(u2, u3, 0x44), v3 = _mm512_shuffle_i32x4(u2, u3, 0xEE);
  auto* out = reinterpret_cast<__m512i*>(words);
  _mm512_storeu_si512(out + 0, _mm512_shuffle_i32x4(v0, v2, 0x88));  // 0,1,2,3 (0,2 | 0,2)
  _mm512_storeu_si512(out + 1, _mm512_shuffle_i32x4(v0, v2, 0xDD));  // 4,5,6,7
  _mm512_storeu_si512(out + 2, _mm512_shuffle_i32x4(v1, v3, 0x88));  // 8..11
  _mm512_storeu_si512(out + 3, _mm512_shuffle_i32x4(v1, v3, 0xDD));  // 12..15
}
#endif

// Dispatch: groups of 16 (AVX-512) or 8 (AVX2) blocks, the rest one by one; a group
// whose low counter word would wrap goes the scalar way too.
void philox_blocks(uint32_t* words, uint64_t first, int64_t nblocks, uint64_t seed) {
  int64_t k = 0;
#if defined(__x86_64__)
  const int width = use_avx512() ? 16 : (use_avx2() ? 8 : 0);
  if (width > 0) {
    for (; k + width <= nblocks; k += width) {
      const uint64_t c = first + uint64_t(k);
      if (uint32_t(c) > UINT32_MAX - uint32_t(width - 1)) {
        philox_blocks_portable(words + 4 * k, c, width, seed);
      } else if (width == 16) {
        philox16(words + 4 * k, c, seed);
      } else {
        philox8(words + 4 * k, c, seed);
      }
    }
  }
#endif
  philox_blocks_portable(words + 4 * k, first + uint64_t(k), nblocks - k, seed);
}

// Calls fn(i, len, w) over [begin, end) in chunks, where w[j] is the word of element
// i + j of the stream that starts at `offset`; w[-((offset + i) & 3)] is the start of that
// element's block (random_normal reads lane pairs).
template <class F>
void for_each_chunk(uint64_t seed, uint64_t offset, int64_t begin, int64_t end, F&& fn) {
  alignas(64) uint32_t buf[kChunk + 8];
  for (int64_t i = begin; i < end; i += kChunk - 4) {
    const int64_t len = std::min(kChunk - 4, end - i);
    const uint64_t e = offset + uint64_t(i);
    const int64_t lead = int64_t(e & 3);
    philox_blocks(buf, e >> 2, (lead + len + 3) / 4, seed);
    fn(i, len, buf + lead);
  }
}

inline float to_unit(uint32_t bits) { return float(bits >> 8) * kInv2p24; }

// GCC contracts a * b + c into an FMA wherever the target has one (C++ defaults to
// -ffp-contract=fast), vector intrinsics included. Passing the product through an empty asm
// keeps it rounded, so every path computes low + range * u with two roundings.
inline float rounded(float v) {
#if defined(__x86_64__) && defined(__GNUC__)
  asm("" : "+x"(v));
#endif
  return v;
}

// out (len) = low + range * unit(w), the scalar reference; the AVX2 form rounds the same.
void uniform_portable(float* out, const uint32_t* w, int64_t len, float low, float range) {
  for (int64_t j = 0; j < len; ++j) out[j] = low + rounded(range * to_unit(w[j]));
}
// out (len) = unit(w) >= p ? x * scale : 0
void dropout_portable(float* out, const float* x, const uint32_t* w, int64_t len, float p,
                      float scale) {
  for (int64_t j = 0; j < len; ++j) out[j] = to_unit(w[j]) >= p ? x[j] * scale : 0.f;
}

#if defined(__x86_64__)
TL_AVX2 inline __m256 rounded8(__m256 v) {
  asm("" : "+x"(v));
  return v;
}
TL_AVX2 inline __m256 to_unit8(const uint32_t* w) {
  const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
  return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_srli_epi32(b, 8)), _mm256_set1_ps(kInv2p24));
}
TL_AVX2 void uniform_avx2(float* out, const uint32_t* w, int64_t len, float low, float range) {
  const __m256 lo = _mm256_set1_ps(low), r = _mm256_set1_ps(range);
  int64_t j = 0;
  for (; j + 8 <= len; j += 8)
    _mm256_storeu_ps(out + j, _mm256_add_ps(lo, rounded8(_mm256_mul_ps(r, to_unit8(w + j)))));
  uniform_portable(out + j, w + j, len - j, low, range);
}
TL_AVX2 void dropout_avx2(float* out, const float* x, const uint32_t* w, int64_t len, float p,
                          float scale) {
  const __m256 pv = _mm256_set1_ps(p), sv = _mm256_set1_ps(scale);
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 keep = _mm256_cmp_ps(to_unit8(w + j), pv, _CMP_GE_OQ);
    _mm256_storeu_ps(out + j, _mm256_and_ps(keep, _mm256_mul_ps(_mm256_loadu_ps(x + j), sv)));
  }
  dropout_portable(out + j, x + j, w + j, len - j, p, scale);
}
#endif

}  // namespace

void random_uniform(float* out, int64_t n, uint64_t seed, uint64_t offset, float low,
                    float high) {
  const float range = high - low;
  parallel_for(n, kRandGrain, [&](int, int64_t b, int64_t e) {
    for_each_chunk(seed, offset, b, e, [&](int64_t i, int64_t len, const uint32_t* w) {
#if defined(__x86_64__)
      if (use_avx2()) return uniform_avx2(out + i, w, len, low, range);
#endif
      uniform_portable(out + i, w, len, low, range);
    });
  });
}

void random_normal(float* out, int64_t n, uint64_t seed, uint64_t offset, float mean,
                   float std) {
  parallel_for(n, kRandGrain, [&](int, int64_t b, int64_t e) {
    for_each_chunk(seed, offset, b, e, [&](int64_t i, int64_t len, const uint32_t* w) {
      const int64_t lead = int64_t((offset + uint64_t(i)) & 3);
      for (int64_t j = 0; j < len; ++j) {
        const int64_t pos = lead + j, pair = pos & ~int64_t(1);  // from the block start
        const uint32_t* blk = w - lead;
        const float u1 = float((blk[pair] >> 8) + 1) * kInv2p24;  // (0, 1]
        const float u2 = to_unit(blk[pair + 1]);
        const float radius = std::sqrt(-2.f * std::log(u1));
        const float angle = kTwoPi * u2;
        const float z = radius * ((pos & 1) ? std::sin(angle) : std::cos(angle));
        out[i + j] = mean + std * z;
      }
    });
  });
}

void dropout_forward(float* out, const float* x, int64_t n, float p, uint64_t seed) {
  if (n <= 0) return;
  if (p <= 0.f) {
    if (out != x) {
      parallel_for(n, 4 * kRandGrain, [&](int, int64_t b, int64_t e) {
        std::memcpy(out + b, x + b, (e - b) * sizeof(float));
      });
    }
    return;
  }
  if (p >= 1.f) {
    parallel_for(n, 4 * kRandGrain, [&](int, int64_t b, int64_t e) { std::fill(out + b, out + e, 0.f); });
    return;
  }
  const float scale = 1.f / (1.f - p);
  parallel_for(n, kRandGrain, [&](int, int64_t b, int64_t e) {
    for_each_chunk(seed, 0, b, e, [&](int64_t i, int64_t len, const uint32_t* w) {
#if defined(__x86_64__)
      if (use_avx2()) return dropout_avx2(out + i, x + i, w, len, p, scale);
#endif
      dropout_portable(out + i, x + i, w, len, p, scale);
    });
  });
}

}  // namespace tl
