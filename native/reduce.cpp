// Reductions over the middle axis of an (outer, R, inner) view, argmax, and the sum of
// squares used for gradient clipping.
//
// Sums accumulate in float within short blocks and in double across blocks (or in double
// throughout for column sums), so a mean over millions of elements stays exact to float
// rounding. max/min propagate NaN as torch.max does. Empty reductions (R == 0) give
// sum 0, mean NaN, max -inf, min +inf, argmax 0.
// Threads: rows (or, across rows, slabs or column ranges) are split across threads; a
// single long row is split along R into per-thread partials that are combined in thread
// order, so results are bit-identical run to run for a given thread count (column
// reductions for any thread count).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

constexpr int64_t kBlock = 1024;   // float accumulation block before folding into double
constexpr int64_t kTile = 32;      // columns per argmax task across rows
constexpr float kInf = std::numeric_limits<float>::infinity();

bool is_sum(ReduceOp op) { return op == R_SUM || op == R_MEAN; }
double identity(ReduceOp op) { return op == R_MAX ? -kInf : (op == R_MIN ? kInf : 0.0); }

// NaN-propagating max/min, in a form that also works as a running accumulator.
inline double combine(ReduceOp op, double acc, double v) {
  if (is_sum(op)) return acc + v;
  if (acc != acc || v != v) return acc + v;
  return op == R_MAX ? std::max(acc, v) : std::min(acc, v);
}

// ---------------------------------------------------------------------------------------
// One contiguous row: the sum as a double, or the max/min.
double row_reduce_portable(ReduceOp op, const float* x, int64_t n) {
  if (is_sum(op)) {
    double total = 0;
    for (int64_t b = 0; b < n; b += kBlock) {
      float s = 0.f;
      for (int64_t i = b, e = std::min(n, b + kBlock); i < e; ++i) s += x[i];
      total += s;
    }
    return total;
  }
  double acc = identity(op);
  for (int64_t i = 0; i < n; ++i) acc = combine(op, acc, x[i]);
  return acc;
}

#if defined(__x86_64__)
TL_AVX2 double row_reduce_avx2(ReduceOp op, const float* x, int64_t n) {
  int64_t i = 0;
  if (is_sum(op)) {
    double total = 0;
    for (; i + kBlock <= n; i += kBlock) {
      __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
      for (int64_t j = i; j < i + kBlock; j += 32) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(x + j));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(x + j + 8));
        a2 = _mm256_add_ps(a2, _mm256_loadu_ps(x + j + 16));
        a3 = _mm256_add_ps(a3, _mm256_loadu_ps(x + j + 24));
      }
      total += hsum8(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    }
    return total + row_reduce_portable(op, x + i, n - i);
  }
  // max/min: NaNs are tracked in a separate mask since maxps drops them.
  const bool is_max = op == R_MAX;
  __m256 acc = _mm256_set1_ps(is_max ? -kInf : kInf);
  __m256 nan = _mm256_setzero_ps();
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    acc = is_max ? _mm256_max_ps(acc, v) : _mm256_min_ps(acc, v);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
  }
  if (_mm256_movemask_ps(nan)) return std::numeric_limits<double>::quiet_NaN();
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, acc);
  double r = row_reduce_portable(op, x + i, n - i);
  for (float l : lanes) r = combine(op, r, l);
  return r;
}
#endif

double row_reduce(ReduceOp op, const float* x, int64_t n) {
#if defined(__x86_64__)
  if (use_avx2()) return row_reduce_avx2(op, x, n);
#endif
  return row_reduce_portable(op, x, n);
}

float finish(ReduceOp op, double v, int64_t R) {
  return static_cast<float>(op == R_MEAN ? v / static_cast<double>(R) : v);
}

// ---------------------------------------------------------------------------------------
// Column reductions: acc (w) op= rows [0, R) of x (row stride ld), row by row. The vector
// paths walk strips of kStrip rows, and within a strip chunks of 128 (AVX-512) or 48 (AVX2)
// columns whose double accumulators stay in registers down the strip. A strip is one
// contiguous block that stays in L2, so each chunk reads 512 bytes of each of its rows
// (a 32-column tile down all rows read two lines per row, a page apart: 2-2.7x slower at
// 1024 x 768 / 3072). Longer or wider (in registers) was measured better up to these
// settings. Sums add each float, converted, into double in row order on every SIMD path,
// so the paths agree bit for bit.
constexpr int64_t kStrip = 64;
constexpr int64_t kColBlock = 1024;  // columns whose double accumulators a task keeps

void col_accumulate_portable(ReduceOp op, double* acc, const float* x, int64_t R, int64_t ld,
                             int64_t w) {
  if (is_sum(op)) {
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < w; ++c) acc[c] += double(x[r * ld + c]);
    return;
  }
  for (int64_t r = 0; r < R; ++r)
    for (int64_t c = 0; c < w; ++c) acc[c] = combine(op, acc[c], x[r * ld + c]);
}

#if defined(__x86_64__)
// acc (16 * NV) += rows [0, rows) of x, in 2 * NV double accumulators.
template <int NV>
TL_AVX512 inline void col_sum_strip_avx512(double* acc, const float* x, int64_t rows, int64_t ld) {
  __m512d s[2 * NV];
  for (int k = 0; k < 2 * NV; ++k) s[k] = _mm512_loadu_pd(acc + 8 * k);
  for (int64_t r = 0; r < rows; ++r) {
    for (int k = 0; k < 2 * NV; ++k)
      s[k] = _mm512_add_pd(s[k], _mm512_cvtps_pd(_mm256_loadu_ps(x + r * ld + 8 * k)));
  }
  for (int k = 0; k < 2 * NV; ++k) _mm512_storeu_pd(acc + 8 * k, s[k]);
}

TL_AVX512 void col_sum_avx512(double* acc, const float* x, int64_t R, int64_t ld, int64_t w) {
  for (int64_t r0 = 0; r0 < R; r0 += kStrip) {
    const int64_t rows = std::min(kStrip, R - r0);
    const float* xs = x + r0 * ld;
    int64_t c = 0;
    for (; c + 128 <= w; c += 128) col_sum_strip_avx512<8>(acc + c, xs + c, rows, ld);
    for (; c + 16 <= w; c += 16) col_sum_strip_avx512<1>(acc + c, xs + c, rows, ld);
    col_accumulate_portable(R_SUM, acc + c, xs + c, rows, ld, w - c);
  }
}

// acc (8 * NV) += rows [0, rows) of x, in 2 * NV double accumulators.
template <int NV>
TL_AVX2 inline void col_sum_strip_avx2(double* acc, const float* x, int64_t rows, int64_t ld) {
  __m256d s[2 * NV];
  for (int k = 0; k < 2 * NV; ++k) s[k] = _mm256_loadu_pd(acc + 4 * k);
  for (int64_t r = 0; r < rows; ++r)
    for (int k = 0; k < 2 * NV; ++k)
      s[k] = _mm256_add_pd(s[k], _mm256_cvtps_pd(_mm_loadu_ps(x + r * ld + 4 * k)));
  for (int k = 0; k < 2 * NV; ++k) _mm256_storeu_pd(acc + 4 * k, s[k]);
}

TL_AVX2 void col_sum_avx2(double* acc, const float* x, int64_t R, int64_t ld, int64_t w) {
  for (int64_t r0 = 0; r0 < R; r0 += kStrip) {
    const int64_t rows = std::min(kStrip, R - r0);
    const float* xs = x + r0 * ld;
    int64_t c = 0;
    for (; c + 48 <= w; c += 48) col_sum_strip_avx2<6>(acc + c, xs + c, rows, ld);
    for (; c + 8 <= w; c += 8) col_sum_strip_avx2<1>(acc + c, xs + c, rows, ld);
    col_accumulate_portable(R_SUM, acc + c, xs + c, rows, ld, w - c);
  }
}
#endif

void col_accumulate(ReduceOp op, double* acc, const float* x, int64_t R, int64_t ld, int64_t w) {
#if defined(__x86_64__)
  if (is_sum(op) && use_avx512()) return col_sum_avx512(acc, x, R, ld, w);
  if (is_sum(op) && use_avx2()) return col_sum_avx2(acc, x, R, ld, w);
#endif
  col_accumulate_portable(op, acc, x, R, ld, w);
}

// Index of the first maximum (NaN counts as the maximum, as in torch.argmax) in
// x[0], x[stride], ... x[(n-1)*stride], with its value.
struct Best {
  float value;
  int64_t index;
};
inline bool beats(float v, float best) { return v > best || (v != v && best == best); }
Best first_max(const float* x, int64_t n, int64_t stride, int64_t base) {
  Best b{n > 0 ? x[0] : -kInf, base};
  for (int64_t r = 1; r < n; ++r)
    if (beats(x[r * stride], b.value)) b = {x[r * stride], base + r};
  return b;
}

// Column form: for c < w, the first maximum of x[r * ld + c] over r < R goes to
// idx[c] (value best[c]), sweeping rows so reads are contiguous.
void first_max_cols_portable(int32_t* idx, const float* x, int64_t R, int64_t ld, int64_t w) {
  float best[kTile];
  for (int64_t c = 0; c < w; ++c) best[c] = x[c], idx[c] = 0;
  for (int64_t r = 1; r < R; ++r)
    for (int64_t c = 0; c < w; ++c)
      if (beats(x[r * ld + c], best[c])) best[c] = x[r * ld + c], idx[c] = int32_t(r);
}

#if defined(__x86_64__)
// Same result as first_max(x, n, 1, base), in two passes: the maximum (and whether any
// NaN occurs) 16 lanes at a time, then the first index holding it (or the first NaN).
TL_AVX2 Best first_max_row_avx2(const float* x, int64_t n, int64_t base) {
  if (n < 32) return first_max(x, n, 1, base);
  __m256 m0 = _mm256_loadu_ps(x), m1 = _mm256_loadu_ps(x + 8);
  __m256 nan = _mm256_cmp_ps(m0, m1, _CMP_UNORD_Q);
  int64_t i = 16;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i), b = _mm256_loadu_ps(x + i + 8);
    nan = _mm256_or_ps(nan, _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
    m0 = _mm256_max_ps(m0, a);
    m1 = _mm256_max_ps(m1, b);
  }
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, _mm256_max_ps(m0, m1));
  float m = lanes[0];
  bool any_nan = _mm256_movemask_ps(nan) != 0;
  for (int k = 1; k < 8; ++k) m = std::max(m, lanes[k]);
  for (; i < n; ++i) {
    any_nan |= x[i] != x[i];
    m = std::max(m, x[i]);
  }
  const __m256 mv = _mm256_set1_ps(m);
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const int hit = _mm256_movemask_ps(any_nan ? _mm256_cmp_ps(v, v, _CMP_UNORD_Q)
                                               : _mm256_cmp_ps(v, mv, _CMP_EQ_OQ));
    if (hit) {
      const int64_t k = i + __builtin_ctz(unsigned(hit));
      return {x[k], base + k};
    }
  }
  for (; i < n; ++i)
    if (any_nan ? x[i] != x[i] : x[i] == m) return {x[i], base + i};
  return {x[0], base};  // not reached
}

// first_max_cols_portable on NV vectors of 8 columns, all advanced row by row (so each
// row's read is NV * 32 contiguous bytes, and the NV dependency chains overlap).
template <int NV>
TL_AVX2 void first_max_cols_avx2_n(int32_t* idx, const float* x, int64_t R, int64_t ld) {
  __m256 best[NV];
  __m256i at[NV];
  for (int k = 0; k < NV; ++k) best[k] = _mm256_loadu_ps(x + 8 * k), at[k] = _mm256_setzero_si256();
  for (int64_t r = 1; r < R; ++r) {
    const __m256i rv = _mm256_set1_epi32(int(r));
    for (int k = 0; k < NV; ++k) {
      const __m256 v = _mm256_loadu_ps(x + r * ld + 8 * k);
      const __m256 win = _mm256_or_ps(
          _mm256_cmp_ps(v, best[k], _CMP_GT_OQ),
          _mm256_and_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q),
                        _mm256_cmp_ps(best[k], best[k], _CMP_ORD_Q)));
      best[k] = _mm256_blendv_ps(best[k], v, win);
      at[k] = _mm256_blendv_epi8(at[k], rv, _mm256_castps_si256(win));
    }
  }
  for (int k = 0; k < NV; ++k) _mm256_storeu_si256(reinterpret_cast<__m256i*>(idx + 8 * k), at[k]);
}

TL_AVX2 void first_max_cols_avx2(int32_t* idx, const float* x, int64_t R, int64_t ld,
                                 int64_t w) {
  static_assert(kTile == 32, "four vectors per column tile");
  const int64_t nv = w / 8;
  switch (nv) {
    case 4: first_max_cols_avx2_n<4>(idx, x, R, ld); break;
    case 3: first_max_cols_avx2_n<3>(idx, x, R, ld); break;
    case 2: first_max_cols_avx2_n<2>(idx, x, R, ld); break;
    case 1: first_max_cols_avx2_n<1>(idx, x, R, ld); break;
    default: break;
  }
  if (8 * nv < w) first_max_cols_portable(idx + 8 * nv, x + 8 * nv, R, ld, w - 8 * nv);
}
#endif

Best first_max_row(const float* x, int64_t n, int64_t base) {
#if defined(__x86_64__)
  if (use_avx2()) return first_max_row_avx2(x, n, base);
#endif
  return first_max(x, n, 1, base);
}

void first_max_cols(int32_t* idx, const float* x, int64_t R, int64_t ld, int64_t w) {
#if defined(__x86_64__)
  if (use_avx2()) return first_max_cols_avx2(idx, x, R, ld, w);
#endif
  first_max_cols_portable(idx, x, R, ld, w);
}

// Sum of squares in double throughout: at 8 floats per two FMAs it still runs at memory
// speed, and clipping thresholds then do not depend on the thread count beyond rounding.
double sum_squares_portable(const float* x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += double(x[i]) * double(x[i]);
  return s;
}

#if defined(__x86_64__)
TL_AVX2 double sum_squares_avx2(const float* x, int64_t n) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m256 v = _mm256_loadu_ps(x + i), w = _mm256_loadu_ps(x + i + 8);
    __m256d v0 = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    __m256d v1 = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
    __m256d w0 = _mm256_cvtps_pd(_mm256_castps256_ps128(w));
    __m256d w1 = _mm256_cvtps_pd(_mm256_extractf128_ps(w, 1));
    a0 = _mm256_fmadd_pd(v0, v0, a0);
    a1 = _mm256_fmadd_pd(v1, v1, a1);
    a2 = _mm256_fmadd_pd(w0, w0, a2);
    a3 = _mm256_fmadd_pd(w1, w1, a3);
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, _mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
  return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + sum_squares_portable(x + i, n - i);
}
#endif

double sum_squares_range(const float* x, int64_t n) {
#if defined(__x86_64__)
  if (use_avx2()) return sum_squares_avx2(x, n);
#endif
  return sum_squares_portable(x, n);
}

}  // namespace

void reduce(ReduceOp op, float* out, const float* x, int64_t outer, int64_t R, int64_t inner) {
  if (outer <= 0 || inner <= 0) return;
  if (inner == 1 && outer < num_threads() && R >= 2 * kGrain) {
    // Few long rows: split each row along R and combine the partials in thread order.
    std::vector<double> partial(num_threads());
    for (int64_t o = 0; o < outer; ++o) {
      std::fill(partial.begin(), partial.end(), identity(op));
      parallel_for(R, kGrain, [&](int tid, int64_t b, int64_t e) {
        partial[tid] = row_reduce(op, x + o * R + b, e - b);
      });
      double v = identity(op);
      for (double p : partial) v = combine(op, v, p);
      out[o] = finish(op, v, R);
    }
    return;
  }
  if (inner == 1) {
    parallel_for(outer, row_grain(R), [&](int, int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) out[o] = finish(op, row_reduce(op, x + o * R, R), R);
    });
    return;
  }
  // Columns [c0, c1) of slab o, in blocks whose double accumulators stay in L1. Threads
  // split slabs, or one slab's columns: each column is summed whole, in row order.
  auto columns = [&](int64_t o, int64_t c0, int64_t c1) {
    double acc[kColBlock];
    for (int64_t c = c0; c < c1; c += kColBlock) {
      const int64_t w = std::min(kColBlock, c1 - c);
      std::fill(acc, acc + w, identity(op));
      col_accumulate(op, acc, x + o * R * inner + c, R, inner, w);
      for (int64_t k = 0; k < w; ++k) out[o * inner + c + k] = finish(op, acc[k], R);
    }
  };
  if (outer >= num_threads()) {
    parallel_for(outer, row_grain(R * inner), [&](int, int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) columns(o, 0, inner);
    });
    return;
  }
  const int64_t grain = std::max<int64_t>(16, kGrain / std::max<int64_t>(R, 1));
  for (int64_t o = 0; o < outer; ++o)
    parallel_for(inner, grain, [&](int, int64_t b, int64_t e) { columns(o, b, e); });
}

void argmax(int32_t* out, const float* x, int64_t outer, int64_t R, int64_t inner) {
  if (outer <= 0 || inner <= 0) return;
  if (inner == 1 && outer < num_threads() && R >= 2 * kGrain) {
    std::vector<Best> partial(num_threads(), Best{-kInf, -1});
    for (int64_t o = 0; o < outer; ++o) {
      std::fill(partial.begin(), partial.end(), Best{-kInf, -1});
      parallel_for(R, kGrain, [&](int tid, int64_t b, int64_t e) {
        partial[tid] = first_max_row(x + o * R + b, e - b, b);
      });
      Best best = partial[0];  // parts are in index order, so ties keep the first
      for (const Best& p : partial)
        if (p.index >= 0 && beats(p.value, best.value)) best = p;
      out[o] = static_cast<int32_t>(best.index);
    }
    return;
  }
  if (inner == 1) {
    parallel_for(outer, row_grain(R), [&](int, int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o)
        out[o] = static_cast<int32_t>(first_max_row(x + o * R, R, 0).index);
    });
    return;
  }
  if (R <= 0) {
    std::fill(out, out + outer * inner, 0);
    return;
  }
  const int64_t tiles = (inner + kTile - 1) / kTile;
  parallel_for(outer * tiles, row_grain(R * kTile), [&](int, int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t o = t / tiles, c0 = (t % tiles) * kTile;
      first_max_cols(out + o * inner + c0, x + o * R * inner + c0, R, inner,
                     std::min(kTile, inner - c0));
    }
  });
}

double sum_squares(const float* x, int64_t n) {
  std::vector<double> partial(num_threads(), 0.0);
  parallel_for(n, kGrain, [&](int tid, int64_t b, int64_t e) {
    partial[tid] = sum_squares_range(x + b, e - b);
  });
  double total = 0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace tl
