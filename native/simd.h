// SIMD and threading helpers shared by the kernel files. Internal: not part of the
// kernels.h contract.
//
// The addon is built with plain -O3 (no -march), so the same binary runs on any x86-64:
// vector code is compiled per function with the TL_AVX2 / TL_AVX512 target attributes and
// chosen at run time with use_avx2() / use_avx512(). Every kernel keeps its portable
// reference path, and the tests compare the vector path against it.
#pragma once
#include <algorithm>
#include <cstdint>

#include "kernels.h"

#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics build "undefined" vectors as `__m512i __Y = __Y;`, which
// -Wall reports as (maybe-)uninitialized once inlined into a kernel: a header false
// positive (as in gemm_kernels_avx512.cpp).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#define TL_AVX2 __attribute__((target("avx2,fma")))
#define TL_AVX512 __attribute__((target("avx512f,avx2,fma")))
#endif

namespace tl {

// ---------------------------------------------------------------------------------------
// Run-time dispatch. simd_level() >= 2 already means the CPU and OS support AVX2 and FMA,
// and >= 3 adds AVX-512F (cpu.cpp), so no further feature checks are needed.
#if defined(__x86_64__)
inline bool use_avx2() { return simd_level() >= 2; }
inline bool use_avx512() { return simd_level() >= 3; }
#else
inline bool use_avx2() { return false; }
inline bool use_avx512() { return false; }
#endif

// ---------------------------------------------------------------------------------------
// Work per parallel_for task.
constexpr int64_t kGrain = 16384;     // elements per task for cheap, memory-bound loops
constexpr int64_t kSlowGrain = 2048;  // for loops that call libm per element

// Items per task when each item covers `cost` elements: about `per_task` elements a task,
// and at least one item.
inline int64_t row_grain(int64_t cost, int64_t per_task = kGrain) {
  return std::max<int64_t>(1, per_task / std::max<int64_t>(cost, 1));
}

// ---------------------------------------------------------------------------------------
// Row helpers, portable (the reference) and AVX2. Both give identical results.

// y (n) *= a
inline void scale_row_portable(float* y, int64_t n, float a) {
  for (int64_t i = 0; i < n; ++i) y[i] *= a;
}
// y (n) += x (n)
inline void add_row_portable(float* y, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] += x[i];
}
// out (n) = p * (dp - delta): the softmax gradient given delta = dot(dp, p)
inline void softmax_grad_row_portable(float* out, const float* p, const float* dp, float delta,
                                      int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = p[i] * (dp[i] - delta);
}

#if defined(__x86_64__)
TL_AVX2 inline void scale_row_avx2(float* y, int64_t n, float a) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), av));
  scale_row_portable(y + i, n - i, a);
}
TL_AVX2 inline void add_row_avx2(float* y, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(x + i)));
  add_row_portable(y + i, x + i, n - i);
}
TL_AVX2 inline void softmax_grad_row_avx2(float* out, const float* p, const float* dp,
                                          float delta, int64_t n) {
  const __m256 d = _mm256_set1_ps(delta);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(p + i),
                                            _mm256_sub_ps(_mm256_loadu_ps(dp + i), d)));
  softmax_grad_row_portable(out + i, p + i, dp + i, delta, n - i);
}

// dst[r * out_rs + c] = src[r + c * x_cs] for r, c < 8.
TL_AVX2 inline void transpose8x8(float* dst, int64_t out_rs, const float* src, int64_t x_cs) {
  __m256 v0 = _mm256_loadu_ps(src), v1 = _mm256_loadu_ps(src + x_cs);
  __m256 v2 = _mm256_loadu_ps(src + 2 * x_cs), v3 = _mm256_loadu_ps(src + 3 * x_cs);
  __m256 v4 = _mm256_loadu_ps(src + 4 * x_cs), v5 = _mm256_loadu_ps(src + 5 * x_cs);
  __m256 v6 = _mm256_loadu_ps(src + 6 * x_cs), v7 = _mm256_loadu_ps(src + 7 * x_cs);
  __m256 t0 = _mm256_unpacklo_ps(v0, v1), t1 = _mm256_unpackhi_ps(v0, v1);
  __m256 t2 = _mm256_unpacklo_ps(v2, v3), t3 = _mm256_unpackhi_ps(v2, v3);
  __m256 t4 = _mm256_unpacklo_ps(v4, v5), t5 = _mm256_unpackhi_ps(v4, v5);
  __m256 t6 = _mm256_unpacklo_ps(v6, v7), t7 = _mm256_unpackhi_ps(v6, v7);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst, _mm256_permute2f128_ps(s0, s4, 0x20));
  _mm256_storeu_ps(dst + out_rs, _mm256_permute2f128_ps(s1, s5, 0x20));
  _mm256_storeu_ps(dst + 2 * out_rs, _mm256_permute2f128_ps(s2, s6, 0x20));
  _mm256_storeu_ps(dst + 3 * out_rs, _mm256_permute2f128_ps(s3, s7, 0x20));
  _mm256_storeu_ps(dst + 4 * out_rs, _mm256_permute2f128_ps(s0, s4, 0x31));
  _mm256_storeu_ps(dst + 5 * out_rs, _mm256_permute2f128_ps(s1, s5, 0x31));
  _mm256_storeu_ps(dst + 6 * out_rs, _mm256_permute2f128_ps(s2, s6, 0x31));
  _mm256_storeu_ps(dst + 7 * out_rs, _mm256_permute2f128_ps(s3, s7, 0x31));
}

// ---------------------------------------------------------------------------------------
// Vector math (8 lanes, AVX2/FMA).

// Sum of the 8 lanes, as ((v0+v4)+(v2+v6)) + ((v1+v5)+(v3+v7)).
TL_AVX2 inline float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// c[0] + c[1] x + ... + c[deg] x^deg, by Horner with FMAs.
TL_AVX2 inline __m256 poly8(__m256 x, const float* c, int deg) {
  __m256 p = _mm256_set1_ps(c[deg]);
  for (int k = deg - 1; k >= 0; --k) p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(c[k]));
  return p;
}

// exp(x) = 2^n e^r with n = round(x log2 e), |r| <= ln2/2, e^r by the Cephes expf
// polynomial: within 0.9 ulp of the true value (every float in [-87, 88] checked against
// double exp). 2^n is applied in two halves, so subnormal results (x < -87.3) come out
// right too, and they round to exactly 0 from x ~ -103.97 on: exp(-inf) = 0, which masked
// (-inf) scores rely on. Above 88.72 the result overflows to inf, as expf does; min/max
// take x second, so NaN passes through. The one vector exp of the kernels (unary ops,
// softmax, cross-entropy, attention).
TL_AVX2 inline __m256 exp8(__m256 x) {
  static const float c[] = {1.f, 1.f, 5.0000001201e-1f, 1.6666665459e-1f, 4.1665795894e-2f,
                            8.3334519073e-3f, 1.3981999507e-3f, 1.9875691500e-4f};
  x = _mm256_min_ps(_mm256_set1_ps(88.8f), x);
  x = _mm256_max_ps(_mm256_set1_ps(-104.f), x);
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = poly8(r, c, 7);
  __m256i ni = _mm256_cvtps_epi32(n);
  __m256i n1 = _mm256_srai_epi32(ni, 1);
  __m256i n2 = _mm256_sub_epi32(ni, n1);
  const __m256i bias = _mm256_set1_epi32(127);
  __m256 s1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n1, bias), 23));
  __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n2, bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

// ---------------------------------------------------------------------------------------
// Vector math (16 lanes, AVX-512F). Same polynomials as the 8-lane forms; 2^n is applied
// by vscalefps, which rounds once, subnormal results included.

TL_AVX512 inline __m512 poly16(__m512 x, const float* c, int deg) {
  __m512 p = _mm512_set1_ps(c[deg]);
  for (int k = deg - 1; k >= 0; --k) p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(c[k]));
  return p;
}

// exp(x + lo) for finite x in [-128, 0] (no clamping) and |lo| << 1: lo carries the low
// part of an argument formed with an FMA (GELU's -x^2/2).
TL_AVX512 inline __m512 exp16_hilo(__m512 x, __m512 lo) {
  static const float c[] = {1.f, 1.f, 5.0000001201e-1f, 1.6666665459e-1f, 4.1665795894e-2f,
                            8.3334519073e-3f, 1.3981999507e-3f, 1.9875691500e-4f};
  __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  r = _mm512_add_ps(r, lo);
  return _mm512_scalef_ps(poly16(r, c, 7), n);
}

// exp(x), as exp8: within 0.9 ulp on [-87, 88], exactly 0 from ~-103.97, inf above 88.72,
// NaN passes through (min/max take x second).
TL_AVX512 inline __m512 exp16(__m512 x) {
  x = _mm512_min_ps(_mm512_set1_ps(88.8f), x);
  x = _mm512_max_ps(_mm512_set1_ps(-104.f), x);
  return exp16_hilo(x, _mm512_setzero_ps());
}

// Lanes [0, n) of a 16-lane vector (all 16 for n >= 16), for masked row tails.
TL_AVX512 inline __mmask16 tail_mask(int64_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1);
}

// Sum of the 16 lanes in a fixed order (halves, then as hsum8).
TL_AVX512 inline float hsum16(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  return hsum8(_mm256_add_ps(lo, hi));
}

// 1 / d for d in [1, 2^100]: vrcp14ps (2^-14) and one Newton step, within ~0.5 ulp + 2^-28.
// No vdivps: at 16 lanes it issues once per ~10 cycles and would bound every kernel using it.
TL_AVX512 inline __m512 recip16(__m512 d) {
  __m512 r = _mm512_rcp14_ps(d);
  return _mm512_fmadd_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(1.f)), r);
}
#endif  // __x86_64__

}  // namespace tl
