// LayerNorm and RMSNorm backward over the last dim of (N, C) (the forward is norm.cpp).
//
// With xhat = (x - mean) * rstd and g = dy * w:
//   LayerNorm: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),
//              dw = sum_rows dy * xhat, db = sum_rows dy.
//   RMSNorm:   dx = rstd * (g - x * rstd^2 * mean(g * x)), dw = sum_rows dy * x * rstd.
// Rows go in strips of up to 8 (32 KiB of x and of dy, kept in L1/L2). Pass 1 takes each row's sum(g) and
// sum(g * xhat); pass 2 walks the strip in column chunks, writing dx and summing the strip's
// dy * xhat (one FMA each) and dy in float registers, which are then added into per-thread
// double buffers. Converting once per strip rather than per element saves most of the
// conversions, which bounded the kernel with the data in cache; a float sum of at most kMaxStrip terms,
// then double across strips, stays within a few float roundings of the exact sums (torch
// sums dw/db in float throughout). Every SIMD path keeps the same strips and order, so dw/db
// agree bit for bit across them; threads split rows and their buffers are added in thread
// order, so results are bit-identical run to run for a thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

constexpr int64_t kStripFloats = 8192;  // floats of x (and of dy) per strip: 32 KiB each
constexpr int64_t kMaxStrip = 8;
int64_t strip_rows(int64_t C) { return std::clamp<int64_t>(kStripFloats / C, 1, kMaxStrip); }

struct GradSums {
  float g = 0.f, gx = 0.f;  // sum(g), sum(g * xhat) over a row
};
struct RowCoef {
  float mean, rstd, a, c;  // dx = rstd * (g - a - xhat * c)
};

// ---------------------------------------------------------------------------------------
// Portable: the reference, and the vector paths' tails.

GradSums grad_sums_portable(const float* dy, const float* x, const float* w, float mean,
                            float rstd, int64_t i0, int64_t n) {
  GradSums s;
  for (int64_t i = i0; i < n; ++i) {
    const float xh = (x[i] - mean) * rstd;
    const float g = w ? dy[i] * w[i] : dy[i];
    s.g += g;
    s.gx += g * xh;
  }
  return s;
}

// Columns [j0, C) of a strip of `rows` rows (row stride C): dx, and the strip's sums of
// dy * xhat and dy added into pdw / pdb. dx, pdw and pdb may each be null.
void strip_grads_portable(float* dx, double* pdw, double* pdb, const float* dy, const float* x,
                          const float* w, const RowCoef* rc, int64_t rows, int64_t C,
                          int64_t j0) {
  for (int64_t j = j0; j < C; ++j) {
    float sw = 0.f, sb = 0.f;
    for (int64_t r = 0; r < rows; ++r) {
      const float d = dy[r * C + j], xh = (x[r * C + j] - rc[r].mean) * rc[r].rstd;
      if (dx) dx[r * C + j] = rc[r].rstd * ((w ? d * w[j] : d) - rc[r].a - xh * rc[r].c);
      if (pdw) sw = std::fma(d, xh, sw);
      sb += d;
    }
    if (pdw) pdw[j] += double(sw);
    if (pdb) pdb[j] += double(sb);
  }
}

#if defined(__x86_64__)
// ---------------------------------------------------------------------------------------
// AVX2: 8-column chunks, the tail columns portable.

TL_AVX2 GradSums grad_sums_avx2(const float* dy, const float* x, const float* w, float mean,
                                float rstd, int64_t n, float* pf) {
  const __m256 m = _mm256_set1_ps(mean), r = _mm256_set1_ps(rstd);
  __m256 sg[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}, sgx[2] = {sg[0], sg[1]};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if (pf) __builtin_prefetch(pf + i, 1, 3);
    for (int k = 0; k < 2; ++k) {  // unrolled: two independent accumulator pairs
      const __m256 d = _mm256_loadu_ps(dy + i + 8 * k);
      const __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8 * k), m), r);
      const __m256 g = w ? _mm256_mul_ps(d, _mm256_loadu_ps(w + i + 8 * k)) : d;
      sg[k] = _mm256_add_ps(sg[k], g);
      sgx[k] = _mm256_fmadd_ps(g, xh, sgx[k]);
    }
  }
  const GradSums tail = grad_sums_portable(dy, x, w, mean, rstd, i, n);
  return {hsum8(_mm256_add_ps(sg[0], sg[1])) + tail.g, hsum8(_mm256_add_ps(sgx[0], sgx[1])) + tail.gx};
}

TL_AVX2 inline void add_to_double4x2(double* acc, __m256 v) {
  _mm256_storeu_pd(acc, _mm256_add_pd(_mm256_loadu_pd(acc), _mm256_cvtps_pd(_mm256_castps256_ps128(v))));
  _mm256_storeu_pd(acc + 4, _mm256_add_pd(_mm256_loadu_pd(acc + 4),
                                          _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1))));
}

// Columns [j, j + 8 * NV) of a strip (NV = 2: each dx line written whole by adjacent stores).
template <int NV>
TL_AVX2 inline void strip_chunk_avx2(float* dx, double* pdw, double* pdb, const float* dy,
                                     const float* x, const float* w, const RowCoef* rc,
                                     int64_t rows, int64_t C, int64_t j) {
  __m256 wv[NV], sw[NV], sb[NV];
  for (int k = 0; k < NV; ++k) {
    wv[k] = w ? _mm256_loadu_ps(w + j + 8 * k) : _mm256_set1_ps(1.f);
    sw[k] = sb[k] = _mm256_setzero_ps();
  }
  for (int64_t r = 0; r < rows; ++r) {
    const __m256 rs = _mm256_set1_ps(rc[r].rstd), mu = _mm256_set1_ps(rc[r].mean);
    for (int k = 0; k < NV; ++k) {
      const int64_t at = r * C + j + 8 * k;
      const __m256 d = _mm256_loadu_ps(dy + at);
      const __m256 xh = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + at), mu), rs);
      if (dx) {
        const __m256 v = _mm256_fnmadd_ps(xh, _mm256_set1_ps(rc[r].c),
                                          _mm256_sub_ps(_mm256_mul_ps(d, wv[k]), _mm256_set1_ps(rc[r].a)));
        _mm256_storeu_ps(dx + at, _mm256_mul_ps(rs, v));
      }
      sw[k] = _mm256_fmadd_ps(d, xh, sw[k]);
      sb[k] = _mm256_add_ps(sb[k], d);
    }
  }
  for (int k = 0; k < NV; ++k) {
    if (pdw) add_to_double4x2(pdw + j + 8 * k, sw[k]);
    if (pdb) add_to_double4x2(pdb + j + 8 * k, sb[k]);
  }
}

TL_AVX2 void strip_grads_avx2(float* dx, double* pdw, double* pdb, const float* dy,
                              const float* x, const float* w, const RowCoef* rc, int64_t rows,
                              int64_t C) {
  int64_t j = 0;
  for (; j + 16 <= C; j += 16) strip_chunk_avx2<2>(dx, pdw, pdb, dy, x, w, rc, rows, C, j);
  for (; j + 8 <= C; j += 8) strip_chunk_avx2<1>(dx, pdw, pdb, dy, x, w, rc, rows, C, j);
  strip_grads_portable(dx, pdw, pdb, dy, x, w, rc, rows, C, j);
}

// ---------------------------------------------------------------------------------------
// AVX-512: 16-column chunks, the last one masked (only then: masked stores are slow on AMD
// even with every lane set).

// sg += g, sgx += g * xhat over the 16 lanes at i (lanes outside t count as 0).
TL_AVX512 inline void grad_sums_step(__m512& sg, __m512& sgx, const float* dy, const float* x,
                                     const float* w, __m512 m, __m512 r, int64_t i,
                                     __mmask16 t) {
  const __m512 d = _mm512_maskz_loadu_ps(t, dy + i);
  const __m512 xh = _mm512_mul_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(t, x + i), m), r);
  const __m512 g = w ? _mm512_mul_ps(d, _mm512_maskz_loadu_ps(t, w + i)) : d;
  sg = _mm512_add_ps(sg, g);
  sgx = _mm512_fmadd_ps(g, xh, sgx);
}

TL_AVX512 GradSums grad_sums_avx512(const float* dy, const float* x, const float* w, float mean,
                                    float rstd, int64_t n, float* pf) {
  const __m512 m = _mm512_set1_ps(mean), r = _mm512_set1_ps(rstd);
  __m512 sg0 = _mm512_setzero_ps(), sg1 = sg0, sgx0 = sg0, sgx1 = sg0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    if (pf) __builtin_prefetch(pf + i, 1, 3), __builtin_prefetch(pf + i + 16, 1, 3);
    grad_sums_step(sg0, sgx0, dy, x, w, m, r, i, 0xFFFF);
    grad_sums_step(sg1, sgx1, dy, x, w, m, r, i + 16, 0xFFFF);
  }
  for (; i < n; i += 16) grad_sums_step(sg0, sgx0, dy, x, w, m, r, i, tail_mask(n - i));
  return {hsum16(_mm512_add_ps(sg0, sg1)), hsum16(_mm512_add_ps(sgx0, sgx1))};
}

template <bool kTail>
TL_AVX512 inline __m512 load16(const float* p, __mmask16 t) {
  return kTail ? _mm512_maskz_loadu_ps(t, p) : _mm512_loadu_ps(p);
}

// acc (the lanes of t) += v, in double.
template <bool kTail>
TL_AVX512 inline void add_to_double16(double* acc, __m512 v, __mmask16 t) {
  const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
  const __m512d hi = _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
  if (kTail) {
    const __mmask8 l = __mmask8(t), h = __mmask8(t >> 8);
    _mm512_mask_storeu_pd(acc, l, _mm512_add_pd(_mm512_maskz_loadu_pd(l, acc), lo));
    _mm512_mask_storeu_pd(acc + 8, h, _mm512_add_pd(_mm512_maskz_loadu_pd(h, acc + 8), hi));
  } else {
    _mm512_storeu_pd(acc, _mm512_add_pd(_mm512_loadu_pd(acc), lo));
    _mm512_storeu_pd(acc + 8, _mm512_add_pd(_mm512_loadu_pd(acc + 8), hi));
  }
}

// Columns [j, j + 16) (those in t) of a strip.
template <bool kTail>
TL_AVX512 inline void strip_chunk_avx512(float* dx, double* pdw, double* pdb, const float* dy,
                                         const float* x, const float* w, const RowCoef* rc,
                                         int64_t rows, int64_t C, int64_t j, __mmask16 t) {
  const __m512 wv = w ? load16<kTail>(w + j, t) : _mm512_set1_ps(1.f);
  __m512 sw = _mm512_setzero_ps(), sb = sw;
  for (int64_t r = 0; r < rows; ++r) {
    const __m512 d = load16<kTail>(dy + r * C + j, t), rs = _mm512_set1_ps(rc[r].rstd);
    const __m512 xh =
        _mm512_mul_ps(_mm512_sub_ps(load16<kTail>(x + r * C + j, t), _mm512_set1_ps(rc[r].mean)), rs);
    if (dx) {
      const __m512 v = _mm512_fnmadd_ps(xh, _mm512_set1_ps(rc[r].c),
                                        _mm512_sub_ps(_mm512_mul_ps(d, wv), _mm512_set1_ps(rc[r].a)));
      if (kTail) _mm512_mask_storeu_ps(dx + r * C + j, t, _mm512_mul_ps(rs, v));
      else _mm512_storeu_ps(dx + r * C + j, _mm512_mul_ps(rs, v));
    }
    sw = _mm512_fmadd_ps(d, xh, sw);
    sb = _mm512_add_ps(sb, d);
  }
  if (pdw) add_to_double16<kTail>(pdw + j, sw, t);
  if (pdb) add_to_double16<kTail>(pdb + j, sb, t);
}

TL_AVX512 void strip_grads_avx512(float* dx, double* pdw, double* pdb, const float* dy,
                                  const float* x, const float* w, const RowCoef* rc,
                                  int64_t rows, int64_t C) {
  int64_t j = 0;
  for (; j + 16 <= C; j += 16)
    strip_chunk_avx512<false>(dx, pdw, pdb, dy, x, w, rc, rows, C, j, 0xFFFF);
  if (j < C) strip_chunk_avx512<true>(dx, pdw, pdb, dy, x, w, rc, rows, C, j, tail_mask(C - j));
}
#endif

// ---------------------------------------------------------------------------------------
// Dispatch and threads.

// sum(g) and sum(g * xhat) over a row. pf (may be null): the row's dx, prefetched for writing
// while the row streams in (pass 2 writes a strip's rows chunk by chunk, interleaved, and
// their misses would otherwise stall the stores: 1.3x slower from memory without it).
GradSums grad_sums(int level, const float* dy, const float* x, const float* w, float mean,
                   float rstd, int64_t n, float* pf) {
#if defined(__x86_64__)
  if (level >= 3) return grad_sums_avx512(dy, x, w, mean, rstd, n, pf);
  if (level == 2) return grad_sums_avx2(dy, x, w, mean, rstd, n, pf);
#endif
  return grad_sums_portable(dy, x, w, mean, rstd, 0, n);
}

void strip_grads(int level, float* dx, double* pdw, double* pdb, const float* dy, const float* x,
                 const float* w, const RowCoef* rc, int64_t rows, int64_t C) {
#if defined(__x86_64__)
  if (level >= 3) return strip_grads_avx512(dx, pdw, pdb, dy, x, w, rc, rows, C);
  if (level == 2) return strip_grads_avx2(dx, pdw, pdb, dy, x, w, rc, rows, C);
#endif
  strip_grads_portable(dx, pdw, pdb, dy, x, w, rc, rows, C, 0);
}

// Rows [b, e): dx rows, and dw/db added into pdw/pdb, strip by strip.
void backward_rows(int level, bool centered, float* dx, double* pdw, double* pdb, const float* dy,
                   const float* x, const float* w, const float* mean, const float* rstd,
                   int64_t b, int64_t e, int64_t C) {
  const int64_t S = strip_rows(C);
  RowCoef rc[kMaxStrip];
  for (int64_t r0 = b; r0 < e; r0 += S) {
    const int64_t rows = std::min(S, e - r0);
    for (int64_t k = 0; k < rows; ++k) {
      const int64_t r = r0 + k;
      const float mu = centered ? mean[r] : 0.f, rs = rstd[r];
      const GradSums s = grad_sums(level, dy + r * C, x + r * C, w, mu, rs, C, dx ? dx + r * C : nullptr);
      rc[k] = {mu, rs, centered ? s.g / C : 0.f, s.gx / C};
    }
    strip_grads(level, dx ? dx + r0 * C : nullptr, pdw, pdb, dy + r0 * C, x + r0 * C, w, rc,
                rows, C);
  }
}

// Shared backward: LayerNorm (centered = true) and RMSNorm (mean 0, no mean(g) term).
void norm_backward(bool centered, float* dx, float* dw, float* db, const float* dy,
                   const float* x, const float* w, const float* mean, const float* rstd,
                   int64_t N, int64_t C) {
  if (C <= 0) return;
  const int level = simd_level();
  // Per-thread (C) double buffers for dw and db, zeroed (no rows: dw and db come out 0).
  const size_t T = size_t(num_threads());
  std::vector<double> pdw(dw ? T * C : 0, 0.0), pdb(db ? T * C : 0, 0.0);
  if (N > 0) parallel_for(N, row_grain(C), [&](int tid, int64_t b, int64_t e) {
    backward_rows(level, centered, dx, dw ? pdw.data() + tid * C : nullptr,
                  db ? pdb.data() + tid * C : nullptr, dy, x, w, mean, rstd, b, e, C);
  });
  // out (C) = the thread buffers summed in thread order
  for (auto [out, parts] : {std::pair{dw, &pdw}, std::pair{db, &pdb}}) {
    if (!out) continue;
    for (int64_t c = 0; c < C; ++c) {
      double s = 0;
      for (size_t t = 0; t < T; ++t) s += (*parts)[t * C + c];
      out[c] = static_cast<float>(s);
    }
  }
}

}  // namespace

void layer_norm_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                         const float* w, const float* mean, const float* rstd,
                         int64_t N, int64_t C) {
  norm_backward(true, dx, dw, db, dy, x, w, mean, rstd, N, C);
}

void rms_norm_backward(float* dx, float* dw, const float* dy, const float* x, const float* w,
                       const float* rstd, int64_t N, int64_t C) {
  norm_backward(false, dx, dw, nullptr, dy, x, w, nullptr, rstd, N, C);
}

}  // namespace tl
