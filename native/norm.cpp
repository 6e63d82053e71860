// LayerNorm and RMSNorm forward over the last dim of (N, C) (the backward is
// norm_backward.cpp).
//
// Forward saves per-row statistics (mean and rstd, or rstd) for the backward pass; the
// variance is the biased one (divide by C) computed in two passes, as torch does. Threads
// split rows.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

// ---------------------------------------------------------------------------------------
// Row pieces. Sums of (x - shift)^K (K = 1 or 2) run in float lanes within blocks of kBlock
// elements and add the blocks in double, so the statistics of long rows stay exact to
// float rounding (and the paths agree closely); the portable reference sums in double.
constexpr int64_t kBlock = 512;

template <int K>
double sum_pow_portable(const float* x, int64_t i0, int64_t n, float shift) {
  double s = 0;
  for (int64_t i = i0; i < n; ++i) {
    const double d = x[i] - shift;
    s += K == 1 ? d : d * d;
  }
  return s;
}

// y = (x - mean) * rstd * w + b; w/b may be null. RMSNorm passes mean = 0, b = null.
void normalize_portable(float* y, const float* x, const float* w, const float* b, float mean,
                        float rstd, int64_t i0, int64_t n) {
  for (int64_t i = i0; i < n; ++i) {
    float v = (x[i] - mean) * rstd;
    if (w) v *= w[i];
    if (b) v += b[i];
    y[i] = v;
  }
}

#if defined(__x86_64__)
template <int K>
TL_AVX2 double sum_pow_avx2(const float* x, int64_t n, float shift) {
  const __m256 sh = _mm256_set1_ps(shift);
  __m256d total = _mm256_setzero_pd();
  int64_t i = 0;
  for (int64_t b = 0; b + 16 <= n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    __m256 s0 = _mm256_setzero_ps(), s1 = s0;
    for (i = b; i + 16 <= e; i += 16) {
      const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), sh);
      const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), sh);
      s0 = K == 1 ? _mm256_add_ps(s0, d0) : _mm256_fmadd_ps(d0, d0, s0);
      s1 = K == 1 ? _mm256_add_ps(s1, d1) : _mm256_fmadd_ps(d1, d1, s1);
    }
    const __m256 s = _mm256_add_ps(s0, s1);
    total = _mm256_add_pd(total, _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(s)),
                                               _mm256_cvtps_pd(_mm256_extractf128_ps(s, 1))));
    if (i < e) break;  // the last block's tail: below
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, total);
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + sum_pow_portable<K>(x, i, n, shift);
}

TL_AVX2 void normalize_avx2(float* y, const float* x, const float* w, const float* b,
                            float mean, float rstd, int64_t n) {
  const __m256 m = _mm256_set1_ps(mean), r = _mm256_set1_ps(rstd);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), m), r);
    if (w) v = _mm256_mul_ps(v, _mm256_loadu_ps(w + i));
    if (b) v = _mm256_add_ps(v, _mm256_loadu_ps(b + i));
    _mm256_storeu_ps(y + i, v);
  }
  normalize_portable(y, x, w, b, mean, rstd, i, n);
}

// AVX-512: 16 lanes, the row's last partial vector masked (only it: masked stores are slow
// on AMD even with every lane set).
template <int K>
TL_AVX512 double sum_pow_avx512(const float* x, int64_t n, float shift) {
  const __m512 sh = _mm512_set1_ps(shift);
  __m512d total = _mm512_setzero_pd();
  for (int64_t b = 0; b < n; b += kBlock) {
    const int64_t e = std::min(n, b + kBlock);
    __m512 s0 = _mm512_setzero_ps(), s1 = s0;
    int64_t i = b;
    for (; i + 32 <= e; i += 32) {
      const __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(x + i), sh);
      const __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(x + i + 16), sh);
      s0 = K == 1 ? _mm512_add_ps(s0, d0) : _mm512_fmadd_ps(d0, d0, s0);
      s1 = K == 1 ? _mm512_add_ps(s1, d1) : _mm512_fmadd_ps(d1, d1, s1);
    }
    for (; i < e; i += 16) {
      const __mmask16 t = tail_mask(e - i);
      const __m512 d = _mm512_maskz_sub_ps(t, _mm512_maskz_loadu_ps(t, x + i), sh);  // 0 past e
      s0 = K == 1 ? _mm512_add_ps(s0, d) : _mm512_fmadd_ps(d, d, s0);
    }
    const __m512 s = _mm512_add_ps(s0, s1);
    total = _mm512_add_pd(total, _mm512_add_pd(
        _mm512_cvtps_pd(_mm512_castps512_ps256(s)),
        _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(s), 1)))));
  }
  return _mm512_reduce_add_pd(total);
}

TL_AVX512 void normalize_avx512(float* y, const float* x, const float* w, const float* b,
                                float mean, float rstd, int64_t n) {
  const __m512 m = _mm512_set1_ps(mean), r = _mm512_set1_ps(rstd);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(x + i), m), r);
    if (w) v = _mm512_mul_ps(v, _mm512_loadu_ps(w + i));
    if (b) v = _mm512_add_ps(v, _mm512_loadu_ps(b + i));
    _mm512_storeu_ps(y + i, v);
  }
  if (i == n) return;
  const __mmask16 t = tail_mask(n - i);
  __m512 v = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, x + i), m), r);
  if (w) v = _mm512_mul_ps(v, _mm512_maskz_loadu_ps(t, w + i));
  if (b) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(t, b + i));
  _mm512_mask_storeu_ps(y + i, t, v);
}
#endif

// Dispatchers over the paths.
template <int K>
double sum_pow(int level, const float* x, int64_t n, float shift) {
#if defined(__x86_64__)
  if (level >= 3) return sum_pow_avx512<K>(x, n, shift);
  if (level == 2) return sum_pow_avx2<K>(x, n, shift);
#endif
  return sum_pow_portable<K>(x, 0, n, shift);
}
void normalize(int level, float* y, const float* x, const float* w, const float* b,
               float mean, float rstd, int64_t n) {
#if defined(__x86_64__)
  if (level >= 3) return normalize_avx512(y, x, w, b, mean, rstd, n);
  if (level == 2) return normalize_avx2(y, x, w, b, mean, rstd, n);
#endif
  normalize_portable(y, x, w, b, mean, rstd, 0, n);
}

}  // namespace

void layer_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* w,
                        const float* b, int64_t N, int64_t C, float eps) {
  const int level = simd_level();
  parallel_for(N, row_grain(C), [&](int, int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float* xr = x + r * C;
      const float mu = C > 0 ? float(sum_pow<1>(level, xr, C, 0.f) / double(C)) : 0.f;
      const float var = C > 0 ? float(sum_pow<2>(level, xr, C, mu) / double(C)) : 0.f;
      const float rs = 1.f / std::sqrt(var + eps);
      if (mean) mean[r] = mu;
      if (rstd) rstd[r] = rs;
      normalize(level, y + r * C, xr, w, b, mu, rs, C);
    }
  });
}

void rms_norm_forward(float* y, float* rstd, const float* x, const float* w, int64_t N,
                      int64_t C, float eps) {
  const int level = simd_level();
  parallel_for(N, row_grain(C), [&](int, int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float* xr = x + r * C;
      const float ms = C > 0 ? float(sum_pow<2>(level, xr, C, 0.f) / double(C)) : 0.f;
      const float rs = 1.f / std::sqrt(ms + eps);
      if (rstd) rstd[r] = rs;
      normalize(level, y + r * C, xr, w, nullptr, 0.f, rs, C);
    }
  });
}

}  // namespace tl
