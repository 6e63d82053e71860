// Softmax and log-softmax over the rows of an (N, C) matrix, forward and backward.
//
// Numerically stable: each row is shifted by its max before exp. Edge rows:
// - a row that is all -inf (fully masked) gives softmax zeros and log_softmax -inf,
//   where PyTorch gives NaN: a masked-out row should add nothing downstream, not poison the
//   step. Its backward then gives dx = 0 (softmax) and dx = dy (log_softmax).
// - NaN anywhere in a row (or +inf, whose shifted value is inf - inf) gives a NaN row.
// Rows are independent, so threads split rows and results do not depend on the thread
// count at all.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------------------------------
// Portable rows (the reference).
float row_max_portable(const float* x, int64_t n) {
  float m = -kInf;
  for (int64_t i = 0; i < n; ++i) {
    if (x[i] != x[i]) return x[i];
    m = std::max(m, x[i]);
  }
  return m;
}
// y (n) = exp(x - shift) when y is not null; returns the sum. Row totals are kept in
// double: a float sum over a 50K vocabulary drifts by ~5e-6.
float exp_sum_portable(float* y, const float* x, int64_t n, float shift) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) {
    float e = std::exp(x[i] - shift);
    if (y) y[i] = e;
    s += e;
  }
  return static_cast<float>(s);
}
float dot_portable(const float* a, const float* b, int64_t n) {  // b null: sum of a
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += b ? a[i] * b[i] : a[i];
  return static_cast<float>(s);
}

// ---------------------------------------------------------------------------------------
// AVX2/FMA rows.
#if defined(__x86_64__)
// exp8, hsum8 and the scale / softmax-gradient rows come from simd.h.
TL_AVX2 float row_max_avx2(const float* x, int64_t n) {
  __m256 m = _mm256_set1_ps(-kInf), nan = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    m = _mm256_max_ps(m, v);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  if (_mm256_movemask_ps(nan)) return std::numeric_limits<float>::quiet_NaN();
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  float r = row_max_portable(x + i, n - i);
  for (float l : lanes) r = std::max(r, l);  // r is NaN only if the tail had one
  return r;
}

// The tail runs through the vector exp too (padded with -inf, whose exp is 0), so every
// element of a row uses the same formula. Lanes fold into a double total every kFold.
constexpr int64_t kFold = 512;

TL_AVX2 float exp_sum_avx2(float* y, const float* x, int64_t n, float shift) {
  const __m256 sh = _mm256_set1_ps(shift);
  __m256 s0 = _mm256_setzero_ps(), s1 = s0;
  double total = 0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if (i % kFold == 0 && i > 0) {
      total += hsum8(_mm256_add_ps(s0, s1));
      s0 = s1 = _mm256_setzero_ps();
    }
    __m256 e0 = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i), sh));
    __m256 e1 = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + i + 8), sh));
    if (y) { _mm256_storeu_ps(y + i, e0); _mm256_storeu_ps(y + i + 8, e1); }
    s0 = _mm256_add_ps(s0, e0);
    s1 = _mm256_add_ps(s1, e1);
  }
  for (; i < n; i += 8) {
    const int64_t r = std::min<int64_t>(8, n - i);
    alignas(32) float buf[8] = {-kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -kInf};
    std::memcpy(buf, x + i, r * sizeof(float));
    __m256 e = exp8(_mm256_sub_ps(_mm256_load_ps(buf), sh));
    _mm256_store_ps(buf, e);
    if (y) std::memcpy(y + i, buf, r * sizeof(float));
    s0 = _mm256_add_ps(s0, e);
  }
  return static_cast<float>(total + hsum8(_mm256_add_ps(s0, s1)));
}

TL_AVX2 float dot_avx2(const float* a, const float* b, int64_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0;
  double total = 0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if (i % kFold == 0 && i > 0) {
      total += hsum8(_mm256_add_ps(s0, s1));
      s0 = s1 = _mm256_setzero_ps();
    }
    __m256 a0 = _mm256_loadu_ps(a + i), a1 = _mm256_loadu_ps(a + i + 8);
    if (b) {
      s0 = _mm256_fmadd_ps(a0, _mm256_loadu_ps(b + i), s0);
      s1 = _mm256_fmadd_ps(a1, _mm256_loadu_ps(b + i + 8), s1);
    } else {
      s0 = _mm256_add_ps(s0, a0);
      s1 = _mm256_add_ps(s1, a1);
    }
  }
  total += hsum8(_mm256_add_ps(s0, s1));
  return static_cast<float>(total + dot_portable(a + i, b ? b + i : nullptr, n - i));
}

// dx (n) = dy - exp(y) * sum; the tail goes through the same vector exp.
TL_AVX2 void log_softmax_grad_avx2(float* dx, const float* dy, const float* y, int64_t n,
                                   float sum) {
  const __m256 s = _mm256_set1_ps(sum);
  for (int64_t i = 0; i < n; i += 8) {
    const int64_t r = std::min<int64_t>(8, n - i);
    if (r == 8) {
      __m256 g = _mm256_fnmadd_ps(exp8(_mm256_loadu_ps(y + i)), s, _mm256_loadu_ps(dy + i));
      _mm256_storeu_ps(dx + i, g);
    } else {
      alignas(32) float by[8] = {0}, bd[8] = {0};
      std::memcpy(by, y + i, r * sizeof(float));
      std::memcpy(bd, dy + i, r * sizeof(float));
      _mm256_store_ps(bd, _mm256_fnmadd_ps(exp8(_mm256_load_ps(by)), s, _mm256_load_ps(bd)));
      std::memcpy(dx + i, bd, r * sizeof(float));
    }
  }
}
#endif

// ---------------------------------------------------------------------------------------
// One row of each kernel, dispatched on the SIMD level.
struct Rows {
  bool avx2;
  float max(const float* x, int64_t n) const {
#if defined(__x86_64__)
    if (avx2) return row_max_avx2(x, n);
#endif
    return row_max_portable(x, n);
  }
  float exp_sum(float* y, const float* x, int64_t n, float shift) const {
#if defined(__x86_64__)
    if (avx2) return exp_sum_avx2(y, x, n, shift);
#endif
    return exp_sum_portable(y, x, n, shift);
  }
  void scale(float* y, int64_t n, float a) const {
#if defined(__x86_64__)
    if (avx2) return scale_row_avx2(y, n, a);
#endif
    scale_row_portable(y, n, a);
  }
  float dot(const float* a, const float* b, int64_t n) const {
#if defined(__x86_64__)
    if (avx2) return dot_avx2(a, b, n);
#endif
    return dot_portable(a, b, n);
  }
  // dx (n) = y * (dy - dot)
  void softmax_grad(float* dx, const float* dy, const float* y, int64_t n, float dot) const {
#if defined(__x86_64__)
    if (avx2) return softmax_grad_row_avx2(dx, y, dy, dot, n);
#endif
    softmax_grad_row_portable(dx, y, dy, dot, n);
  }
  // dx (n) = dy - exp(y) * sum
  void log_softmax_grad(float* dx, const float* dy, const float* y, int64_t n, float sum) const {
#if defined(__x86_64__)
    if (avx2) return log_softmax_grad_avx2(dx, dy, y, n, sum);
#endif
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] - std::exp(y[i]) * sum;
  }
};

Rows rows() { return Rows{use_avx2()}; }

}  // namespace

void softmax_forward(float* y, const float* x, int64_t N, int64_t C) {
  const Rows k = rows();
  parallel_for(N, row_grain(C), [&](int, int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * C;
      float* yr = y + r * C;
      const float m = k.max(xr, C);
      if (m == -kInf) {
        std::fill(yr, yr + C, 0.f);
        continue;
      }
      k.scale(yr, C, 1.f / k.exp_sum(yr, xr, C, m));
    }
  });
}

void softmax_backward(float* dx, const float* dy, const float* y, int64_t N, int64_t C) {
  const Rows k = rows();
  parallel_for(N, row_grain(C), [&](int, int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* dyr = dy + r * C;
      const float* yr = y + r * C;
      k.softmax_grad(dx + r * C, dyr, yr, C, k.dot(dyr, yr, C));
    }
  });
}

void log_softmax_forward(float* y, const float* x, int64_t N, int64_t C) {
  const Rows k = rows();
  parallel_for(N, row_grain(C), [&](int, int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* xr = x + r * C;
      float* yr = y + r * C;
      const float m = k.max(xr, C);
      if (m == -kInf) {
        std::fill(yr, yr + C, -kInf);
        continue;
      }
      const float log_sum = std::log(k.exp_sum(nullptr, xr, C, m));
      for (int64_t i = 0; i < C; ++i) yr[i] = (xr[i] - m) - log_sum;
    }
  });
}

void log_softmax_backward(float* dx, const float* dy, const float* y, int64_t N, int64_t C) {
  const Rows k = rows();
  parallel_for(N, row_grain(C), [&](int, int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const float* dyr = dy + r * C;
      k.log_softmax_grad(dx + r * C, dyr, y + r * C, C, k.dot(dyr, nullptr, C));
    }
  });
}

}  // namespace tl
