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
// Row pieces. Each portable function handles elements [i0, n) so that the vector versions
// can hand it their tails.

// sum of (x - shift)^k for k = 1 or 2
float sum_pow_portable(const float* x, int64_t i0, int64_t n, float shift, int k) {
  float s = 0.f;
  for (int64_t i = i0; i < n; ++i) {
    float d = x[i] - shift;
    s += k == 1 ? d : d * d;
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
TL_AVX2 float sum_pow_avx2(const float* x, int64_t n, float shift, int k) {
  const __m256 sh = _mm256_set1_ps(shift);
  __m256 s0 = _mm256_setzero_ps(), s1 = s0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), sh);
    __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), sh);
    s0 = k == 1 ? _mm256_add_ps(s0, d0) : _mm256_fmadd_ps(d0, d0, s0);
    s1 = k == 1 ? _mm256_add_ps(s1, d1) : _mm256_fmadd_ps(d1, d1, s1);
  }
  return hsum8(_mm256_add_ps(s0, s1)) + sum_pow_portable(x, i, n, shift, k);
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

#endif

// Dispatchers over the two paths.
float sum_pow(bool avx2, const float* x, int64_t n, float shift, int k) {
#if defined(__x86_64__)
  if (avx2) return sum_pow_avx2(x, n, shift, k);
#endif
  return sum_pow_portable(x, 0, n, shift, k);
}
void normalize(bool avx2, float* y, const float* x, const float* w, const float* b,
               float mean, float rstd, int64_t n) {
#if defined(__x86_64__)
  if (avx2) return normalize_avx2(y, x, w, b, mean, rstd, n);
#endif
  normalize_portable(y, x, w, b, mean, rstd, 0, n);
}

}  // namespace

void layer_norm_forward(float* y, float* mean, float* rstd, const float* x, const float* w,
                        const float* b, int64_t N, int64_t C, float eps) {
  const bool avx2 = use_avx2();
  parallel_for(N, row_grain(C), [&](int, int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float* xr = x + r * C;
      const float mu = C > 0 ? sum_pow(avx2, xr, C, 0.f, 1) / C : 0.f;
      const float var = C > 0 ? sum_pow(avx2, xr, C, mu, 2) / C : 0.f;
      const float rs = 1.f / std::sqrt(var + eps);
      if (mean) mean[r] = mu;
      if (rstd) rstd[r] = rs;
      normalize(avx2, y + r * C, xr, w, b, mu, rs, C);
    }
  });
}

void rms_norm_forward(float* y, float* rstd, const float* x, const float* w, int64_t N,
                      int64_t C, float eps) {
  const bool avx2 = use_avx2();
  parallel_for(N, row_grain(C), [&](int, int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const float* xr = x + r * C;
      const float ms = C > 0 ? sum_pow(avx2, xr, C, 0.f, 2) / C : 0.f;
      const float rs = 1.f / std::sqrt(ms + eps);
      if (rstd) rstd[r] = rs;
      normalize(avx2, y + r * C, xr, w, nullptr, 0.f, rs, C);
    }
  });
}

}  // namespace tl
