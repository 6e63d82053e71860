// Cross-entropy fused with log-softmax, PyTorch's F.cross_entropy per row (reduction is
// the TypeScript op's business), with label smoothing ls:
//   loss = (1 - ls) * (lse - x[t]) + ls * (lse - mean(x))
// which is -(1-ls) logp[t] - ls/V sum(logp), since logp = x - lse. The smoothing term is
// computed as log(sum exp(x - m)) + mean(m - x), m = max(x): every part is a sum of
// non-negative terms, so logits of +-1e4 lose nothing to cancellation.
// Rows are independent and reduced in a fixed order, so results do not depend on threads.
// A target outside [0, V) that is not ignore_index gives a NaN loss and NaN gradient row
// (the TypeScript op validates targets; this only keeps a bad index from reading memory).
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
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Row reductions, once portable and once with AVX2/FMA.
struct RowOps {
  float (*max)(const float* x, int64_t n);
  // returns sum exp(x - m); *below (if not null) = sum (m - x)
  float (*exp_sum)(const float* x, int64_t n, float m, float* below);
  // dx (n) = g * exp(x - lse) - c
  void (*grad)(float* dx, const float* x, int64_t n, float lse, float g, float c);
};

float max_portable(const float* x, int64_t n) {
  float m = -kInf;
  for (int64_t j = 0; j < n; ++j) m = std::max(m, x[j]);
  return m;
}
float exp_sum_portable(const float* x, int64_t n, float m, float* below) {
  float sum = 0.f, gap = 0.f;
  for (int64_t j = 0; j < n; ++j) {
    sum += std::exp(x[j] - m);
    gap += m - x[j];
  }
  if (below) *below = gap;
  return sum;
}
void grad_portable(float* dx, const float* x, int64_t n, float lse, float g, float c) {
  for (int64_t j = 0; j < n; ++j) dx[j] = g * std::exp(x[j] - lse) - c;
}
constexpr RowOps kPortable{max_portable, exp_sum_portable, grad_portable};

#if defined(__x86_64__)
// exp8 and hsum8 come from simd.h.
TL_AVX2 float max_avx2(const float* x, int64_t n) {
  __m256 m = _mm256_set1_ps(-kInf);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + j));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  float r = max_portable(x + j, n - j);
  for (float l : lanes) r = std::max(r, l);
  return r;
}

// Two accumulators per sum hide the add latency; the tail goes through the vector exp
// too (padded with m, whose terms are exp(0) = 1 and m - m = 0, subtracted after).
TL_AVX2 float exp_sum_avx2(const float* x, int64_t n, float m, float* below) {
  const __m256 vm = _mm256_set1_ps(m);
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, g0 = s0, g1 = s0;
  int64_t j = 0;
  for (; j + 16 <= n; j += 16) {
    const __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + j), vm);
    const __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(x + j + 8), vm);
    s0 = _mm256_add_ps(s0, exp8(d0));
    s1 = _mm256_add_ps(s1, exp8(d1));
    g0 = _mm256_sub_ps(g0, d0);
    g1 = _mm256_sub_ps(g1, d1);
  }
  float pad = 0.f;
  for (; j < n; j += 8) {
    const int64_t r = std::min<int64_t>(8, n - j);
    alignas(32) float buf[8] = {m, m, m, m, m, m, m, m};
    std::memcpy(buf, x + j, r * sizeof(float));
    const __m256 d = _mm256_sub_ps(_mm256_load_ps(buf), vm);
    s0 = _mm256_add_ps(s0, exp8(d));
    g0 = _mm256_sub_ps(g0, d);
    pad += float(8 - r);
  }
  if (below) *below = hsum8(_mm256_add_ps(g0, g1));
  return hsum8(_mm256_add_ps(s0, s1)) - pad;
}

TL_AVX2 void grad_avx2(float* dx, const float* x, int64_t n, float lse, float g, float c) {
  const __m256 vl = _mm256_set1_ps(lse), vg = _mm256_set1_ps(g), vc = _mm256_set1_ps(c);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 p = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), vl));
    _mm256_storeu_ps(dx + j, _mm256_fmsub_ps(vg, p, vc));
  }
  if (j < n) {
    alignas(32) float buf[8] = {};
    std::memcpy(buf, x + j, (n - j) * sizeof(float));
    const __m256 p = exp8(_mm256_sub_ps(_mm256_load_ps(buf), vl));
    _mm256_store_ps(buf, _mm256_fmsub_ps(vg, p, vc));
    std::memcpy(dx + j, buf, (n - j) * sizeof(float));
  }
}
constexpr RowOps kAvx2{max_avx2, exp_sum_avx2, grad_avx2};
#endif

const RowOps& row_ops() {
#if defined(__x86_64__)
  if (use_avx2()) return kAvx2;
#endif
  return kPortable;
}

// Rows per task: about 32k logits, so short vocabularies still amortise the dispatch.
int64_t grain(int64_t V) { return row_grain(V, 32768); }

}  // namespace

void cross_entropy_forward(float* loss_rows, float* lse, const float* logits,
                           const int32_t* targets, int64_t N, int64_t V,
                           int64_t ignore_index, float label_smoothing) {
  const RowOps& ops = row_ops();
  const float ls = label_smoothing;
  parallel_for(N, grain(V), [&](int, int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const int64_t t = targets[n];
      if (t == ignore_index) {  // padding: no loss and nothing to save
        loss_rows[n] = 0.f;
        lse[n] = 0.f;
        continue;
      }
      const float* x = logits + n * V;  // (V)
      const float m = ops.max(x, V);
      float below = 0.f;
      const float log_sum = std::log(ops.exp_sum(x, V, m, ls > 0.f ? &below : nullptr));
      lse[n] = m + log_sum;
      if (t < 0 || t >= V) {
        loss_rows[n] = kNaN;
        continue;
      }
      float loss = (1.f - ls) * ((m - x[t]) + log_sum);  // lse - x[t], without rounding lse
      if (ls > 0.f) loss += ls * (log_sum + below / float(V));
      loss_rows[n] = loss;
    }
  });
}

void cross_entropy_backward(float* dlogits, const float* dloss_rows, const float* logits,
                            const float* lse, const int32_t* targets, int64_t N, int64_t V,
                            int64_t ignore_index, float label_smoothing) {
  const RowOps& ops = row_ops();
  const float ls = label_smoothing;
  parallel_for(N, grain(V), [&](int, int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const int64_t t = targets[n];
      float* dx = dlogits + n * V;  // (V)
      if (t == ignore_index) {
        std::fill(dx, dx + V, 0.f);
        continue;
      }
      if (t < 0 || t >= V) {
        std::fill(dx, dx + V, kNaN);
        continue;
      }
      // d loss / d x_j = softmax_j - q_j, q = (1 - ls) onehot(t) + ls / V
      const float g = dloss_rows[n];
      ops.grad(dx, logits + n * V, V, lse[n], g, g * ls / float(V));
      dx[t] -= g * (1.f - ls);
    }
  });
}

}  // namespace tl
