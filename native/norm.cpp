// LayerNorm and RMSNorm over the last dim of (N, C), forward and backward.
//
// Forward saves per-row statistics (mean and rstd, or rstd) for the backward pass; the
// variance is the biased one (divide by C) computed in two passes, as torch does.
// Backward (xhat = (x - mean) * rstd, g = dy * w):
//   LayerNorm: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),
//              dw = sum_rows dy * xhat, db = sum_rows dy.
//   RMSNorm:   dx = rstd * (g - x * rstd^2 * mean(g * x)), dw = sum_rows dy * x * rstd.
// Threads split rows. dw/db are summed per thread into private double buffers (a sum over
// B*T rows in float drifts by ~1e-5) and the buffers are added in thread order, so results
// are bit-identical run to run for a thread count.
#include <algorithm>
#include <cmath>
#include <vector>

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

// Backward pass 1 over a row: returns sum(g) and sum(g * xhat), and adds dy * xhat and dy
// into the per-thread dw/db buffers (when not null).
struct GradSums {
  float g = 0.f, gx = 0.f;
};
GradSums grad_sums_portable(double* pdw, double* pdb, const float* dy, const float* x,
                            const float* w, float mean, float rstd, int64_t i0, int64_t n) {
  GradSums s;
  for (int64_t i = i0; i < n; ++i) {
    const float xh = (x[i] - mean) * rstd;
    const float g = w ? dy[i] * w[i] : dy[i];
    s.g += g;
    s.gx += g * xh;
    if (pdw) pdw[i] += double(dy[i] * xh);
    if (pdb) pdb[i] += double(dy[i]);
  }
  return s;
}

// dx = rstd * (g - a - xhat * c) with a = mean(g) (0 for RMSNorm), c = mean(g * xhat).
void grad_input_portable(float* dx, const float* dy, const float* x, const float* w,
                         float mean, float rstd, float a, float c, int64_t i0, int64_t n) {
  for (int64_t i = i0; i < n; ++i) {
    const float xh = (x[i] - mean) * rstd;
    const float g = w ? dy[i] * w[i] : dy[i];
    dx[i] = rstd * (g - a - xh * c);
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

TL_AVX2 inline void add_to_double(double* acc, __m256 v) {
  _mm256_storeu_pd(acc, _mm256_add_pd(_mm256_loadu_pd(acc), _mm256_cvtps_pd(_mm256_castps256_ps128(v))));
  _mm256_storeu_pd(acc + 4, _mm256_add_pd(_mm256_loadu_pd(acc + 4),
                                          _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
}

TL_AVX2 GradSums grad_sums_avx2(double* pdw, double* pdb, const float* dy, const float* x,
                                const float* w, float mean, float rstd, int64_t n) {
  const __m256 m = _mm256_set1_ps(mean), r = _mm256_set1_ps(rstd);
  __m256 sg = _mm256_setzero_ps(), sgx = sg;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_loadu_ps(dy + i);
    const __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), m), r);
    const __m256 g = w ? _mm256_mul_ps(d, _mm256_loadu_ps(w + i)) : d;
    sg = _mm256_add_ps(sg, g);
    sgx = _mm256_fmadd_ps(g, xh, sgx);
    if (pdw) add_to_double(pdw + i, _mm256_mul_ps(d, xh));
    if (pdb) add_to_double(pdb + i, d);
  }
  GradSums tail = grad_sums_portable(pdw, pdb, dy, x, w, mean, rstd, i, n);
  return {hsum8(sg) + tail.g, hsum8(sgx) + tail.gx};
}

TL_AVX2 void grad_input_avx2(float* dx, const float* dy, const float* x, const float* w,
                             float mean, float rstd, float a, float c, int64_t n) {
  const __m256 m = _mm256_set1_ps(mean), r = _mm256_set1_ps(rstd);
  const __m256 av = _mm256_set1_ps(a), cv = _mm256_set1_ps(c);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 d = _mm256_loadu_ps(dy + i);
    const __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), m), r);
    const __m256 g = w ? _mm256_mul_ps(d, _mm256_loadu_ps(w + i)) : d;
    __m256 v = _mm256_fnmadd_ps(xh, cv, _mm256_sub_ps(g, av));
    _mm256_storeu_ps(dx + i, _mm256_mul_ps(r, v));
  }
  grad_input_portable(dx, dy, x, w, mean, rstd, a, c, i, n);
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
GradSums grad_sums(bool avx2, double* pdw, double* pdb, const float* dy, const float* x,
                   const float* w, float mean, float rstd, int64_t n) {
#if defined(__x86_64__)
  if (avx2) return grad_sums_avx2(pdw, pdb, dy, x, w, mean, rstd, n);
#endif
  return grad_sums_portable(pdw, pdb, dy, x, w, mean, rstd, 0, n);
}
void grad_input(bool avx2, float* dx, const float* dy, const float* x, const float* w,
                float mean, float rstd, float a, float c, int64_t n) {
#if defined(__x86_64__)
  if (avx2) return grad_input_avx2(dx, dy, x, w, mean, rstd, a, c, n);
#endif
  grad_input_portable(dx, dy, x, w, mean, rstd, a, c, 0, n);
}

// Per-thread (C) buffers for dw and db, zeroed; null when that gradient is not wanted.
struct Partials {
  std::vector<double> dw, db;
  int64_t C;
  Partials(bool want_dw, bool want_db, int64_t C) : C(C) {
    if (want_dw) dw.assign(size_t(num_threads()) * C, 0.0);
    if (want_db) db.assign(size_t(num_threads()) * C, 0.0);
  }
  double* dw_of(int tid) { return dw.empty() ? nullptr : dw.data() + tid * C; }
  double* db_of(int tid) { return db.empty() ? nullptr : db.data() + tid * C; }
  // out (C) = sum over threads in order
  static void write_sums(float* out, const std::vector<double>& parts, int64_t C) {
    if (!out || parts.empty()) return;
    const int64_t T = int64_t(parts.size()) / C;
    for (int64_t c = 0; c < C; ++c) {
      double s = 0;
      for (int64_t t = 0; t < T; ++t) s += parts[t * C + c];
      out[c] = static_cast<float>(s);
    }
  }
};

// Shared backward: LayerNorm (centered = true) and RMSNorm (mean 0, no mean(g) term).
void norm_backward(bool centered, float* dx, float* dw, float* db, const float* dy,
                   const float* x, const float* w, const float* mean, const float* rstd,
                   int64_t N, int64_t C) {
  if (C <= 0) return;
  const bool avx2 = use_avx2();
  Partials part(dw != nullptr, db != nullptr, C);  // no rows: dw and db are written as zeros
  if (N > 0) parallel_for(N, row_grain(C), [&](int tid, int64_t b, int64_t e) {
    double* pdw = part.dw_of(tid);
    double* pdb = part.db_of(tid);
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * C;
      const float* dyr = dy + r * C;
      const float mu = centered ? mean[r] : 0.f, rs = rstd[r];
      const GradSums s = grad_sums(avx2, pdw, pdb, dyr, xr, w, mu, rs, C);
      if (dx)
        grad_input(avx2, dx + r * C, dyr, xr, w, mu, rs, centered ? s.g / C : 0.f, s.gx / C, C);
    }
  });
  Partials::write_sums(dw, part.dw, C);
  Partials::write_sums(db, part.db, C);
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

void layer_norm_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                         const float* w, const float* mean, const float* rstd,
                         int64_t N, int64_t C) {
  norm_backward(true, dx, dw, db, dy, x, w, mean, rstd, N, C);
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

void rms_norm_backward(float* dx, float* dw, const float* dy, const float* x, const float* w,
                       const float* rstd, int64_t N, int64_t C) {
  norm_backward(false, dx, dw, nullptr, dy, x, w, nullptr, rstd, N, C);
}

}  // namespace tl
