// Memory-efficient scaled dot-product attention: FlashAttention-2 on the CPU.
//
// Forward: for each (b, h, block of queries) stream over blocks of keys, keeping a running
// max m and sum l per query (online softmax) and an unnormalised output accumulator; only
// lse = m + log(l) is stored. Backward recomputes P = exp(S - lse) block by block and uses
// D_i = rowsum(dout_i * out_i), dS = P * (dP - D) (valid with dropout too, since out already
// holds the dropped, rescaled probabilities).
//
// Work split, and why every result is bit-identical for any thread count:
// - forward: one task per (b, h, query block); tasks write disjoint rows.
// - backward: one task per (b, kv head) owns dk/dv of that kv head, dq of the query heads
//   that share it and their dbias rows; inside, key blocks are the outer loop (dk/dv stay
//   in a small local accumulator) and query heads/blocks the inner one, in a fixed order.
//   A bias shared over the batch (Bb = 1) makes dbias a sum over b, so then a task is one
//   kv head and loops over b itself, in order.
// All small matrix products go through one register-blocked micro-kernel (6 x 16 AVX2 or
// 8 x 32 AVX-512 accumulators, in attention_tiles.cpp) over operands laid out so its B
// side is read row-wise.
//
// Layout: inner loops (portable and AVX2; the products and simd.h's shared rows) behind
// one table of function pointers, then the forward block, then the backward kv head, then
// the entry points.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "attention_tiles.h"
#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

using namespace attention_detail;

constexpr int64_t kQueryBlock = 64;
constexpr int64_t kKeyBlock = 64;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------------------------------
// Inner loops, portable and AVX2/FMA (AVX-512 for the products), picked per call by
// use_avx2() / use_avx512().

// One block of scores: rows [0, nq) of s (kKeyBlock apart) against keys [j0, j0 + nk). Row r
// sees its first vis[r] keys (the causal rule); its scores are s * scale + bias (row r at
// bias + r * bias_ld, null if none) + kmadd (the key mask as 0 / -inf, null if none).
struct SoftmaxBlock {
  float* s;
  int64_t nq, nk;
  const int64_t* vis;
  float scale;
  const float* bias;
  int64_t bias_ld;
  const float* kmadd;
};

struct AttnOps {
  // C (M, N) = or += A (M, K) @ B (K, N), A read through strides (attention_tiles.h)
  void (*matmul)(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars, int64_t acs,
                 const float* B, int64_t ldb, float* C, int64_t ldc, bool accumulate);
  // s (n) = s * scale + add1 + add2, either add may be null
  void (*affine)(float* s, int64_t n, float scale, const float* add1, const float* add2);
  float (*max)(const float* x, int64_t n);
  // x (n) = exp(x - shift); returns the sum
  float (*exp_sum)(float* x, int64_t n, float shift);
  void (*scale)(float* x, int64_t n, float alpha);
  void (*mul)(float* x, const float* z, int64_t n);
  // ds (n) = p * (dp - delta)
  void (*softmax_grad)(float* ds, const float* p, const float* dp, float delta, int64_t n);
  float (*dot)(const float* x, const float* y, int64_t n);
  void (*add)(float* y, const float* x, int64_t n);
  // dst (D, kKeyBlock) = src rows [0, nk) transposed, src (nk, D) rows `ld` apart: packs K
  // or V so that q . k_j becomes a row-times-matrix product the micro-kernel streams through.
  void (*pack_t)(float* dst, const float* src, int64_t ld, int64_t nk, int64_t D);
  // Whole-block softmax steps (SoftmaxBlock below), null where the row-by-row composition of
  // the row ops above serves.
  void (*online_softmax)(const SoftmaxBlock& sb, float* m, float* l, float* acc, int64_t D);
  void (*probs_and_grads)(const SoftmaxBlock& sb, const float* lse, const float* dp,
                          const float* delta, float* ds);
};

void affine_portable(float* s, int64_t n, float scale, const float* add1, const float* add2) {
  for (int64_t j = 0; j < n; ++j) s[j] *= scale;
  if (add1) for (int64_t j = 0; j < n; ++j) s[j] += add1[j];
  if (add2) for (int64_t j = 0; j < n; ++j) s[j] += add2[j];
}
float max_portable(const float* x, int64_t n) {
  float m = kNegInf;
  for (int64_t j = 0; j < n; ++j) m = std::max(m, x[j]);
  return m;
}
float exp_sum_portable(float* x, int64_t n, float shift) {
  float sum = 0.f;
  for (int64_t j = 0; j < n; ++j) sum += (x[j] = std::exp(x[j] - shift));
  return sum;
}
void mul_portable(float* x, const float* z, int64_t n) {
  for (int64_t j = 0; j < n; ++j) x[j] *= z[j];
}
float dot_portable(const float* x, const float* y, int64_t n) {
  float sum = 0.f;
  for (int64_t j = 0; j < n; ++j) sum += x[j] * y[j];
  return sum;
}

void pack_t_portable(float* dst, const float* src, int64_t ld, int64_t nk, int64_t D) {
  for (int64_t j = 0; j < nk; ++j)
    for (int64_t d = 0; d < D; ++d) dst[d * kKeyBlock + j] = src[j * ld + d];
}

constexpr AttnOps kPortableOps{matmul_portable,  affine_portable,    max_portable,
                               exp_sum_portable, scale_row_portable, mul_portable,
                               softmax_grad_row_portable, dot_portable, add_row_portable,
                               pack_t_portable, nullptr, nullptr};

#if defined(__x86_64__)
TL_AVX2 void affine_avx2(float* s, int64_t n, float scale, const float* add1,
                         const float* add2) {
  const __m256 vs = _mm256_set1_ps(scale);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    __m256 x = _mm256_mul_ps(_mm256_loadu_ps(s + j), vs);
    if (add1) x = _mm256_add_ps(x, _mm256_loadu_ps(add1 + j));
    if (add2) x = _mm256_add_ps(x, _mm256_loadu_ps(add2 + j));
    _mm256_storeu_ps(s + j, x);
  }
  for (; j < n; ++j) s[j] = s[j] * scale + (add1 ? add1[j] : 0.f) + (add2 ? add2[j] : 0.f);
}

TL_AVX2 float max_avx2(const float* x, int64_t n) {
  __m256 m = _mm256_set1_ps(kNegInf);
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(x + j));
  __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
  h = _mm_max_ps(h, _mm_movehl_ps(h, h));
  float r = _mm_cvtss_f32(_mm_max_ss(h, _mm_movehdup_ps(h)));
  for (; j < n; ++j) r = std::max(r, x[j]);
  return r;
}

TL_AVX2 float exp_sum_avx2(float* x, int64_t n, float shift) {
  const __m256 vs = _mm256_set1_ps(shift);
  __m256 sum = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 e = exp8(_mm256_sub_ps(_mm256_loadu_ps(x + j), vs));
    _mm256_storeu_ps(x + j, e);
    sum = _mm256_add_ps(sum, e);
  }
  if (j < n) {  // tail through a -inf padded lane buffer, so every lane uses exp8
    alignas(32) float t[8];
    for (int e = 0; e < 8; ++e) t[e] = j + e < n ? x[j + e] : kNegInf;
    const __m256 e = exp8(_mm256_sub_ps(_mm256_load_ps(t), vs));
    _mm256_store_ps(t, e);
    sum = _mm256_add_ps(sum, e);
    for (int e2 = 0; j + e2 < n; ++e2) x[j + e2] = t[e2];
  }
  return hsum8(sum);
}

TL_AVX2 void mul_avx2(float* x, const float* z, int64_t n) {
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    _mm256_storeu_ps(x + j, _mm256_mul_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(z + j)));
  for (; j < n; ++j) x[j] *= z[j];
}

TL_AVX2 float dot_avx2(const float* x, const float* y, int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(y + j), acc);
  float r = hsum8(acc);
  for (; j < n; ++j) r += x[j] * y[j];
  return r;
}

// 8 x 8 blocks through registers (the scalar form writes a cache line per element).
TL_AVX2 void pack_t_avx2(float* dst, const float* src, int64_t ld, int64_t nk, int64_t D) {
  int64_t j0 = 0;
  for (; j0 + 8 <= nk; j0 += 8) {
    int64_t d0 = 0;
    for (; d0 + 8 <= D; d0 += 8) transpose8x8(dst + d0 * kKeyBlock + j0, kKeyBlock, src + j0 * ld + d0, ld);
    for (; d0 < D; ++d0)
      for (int64_t j = j0; j < j0 + 8; ++j) dst[d0 * kKeyBlock + j] = src[j * ld + d0];
  }
  pack_t_portable(dst + j0, src + j0 * ld, ld, nk - j0, D);
}

constexpr AttnOps kAvx2Ops{matmul_avx2,  affine_avx2,    max_avx2,
                           exp_sum_avx2, scale_row_avx2, mul_avx2,
                           softmax_grad_row_avx2, dot_avx2, add_row_avx2, pack_t_avx2,
                           nullptr, nullptr};

// 16-lane row loops; tails through masked loads, so no scalar remainder. Masked-off lanes
// of exp_sum load -inf (exp gives 0) and of max load -inf.
TL_AVX512 inline __mmask16 tail_mask(int64_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1);
}

// Sum of the 16 lanes in a fixed order (halves, then as hsum8).
TL_AVX512 inline float hsum16(__m512 v) {
  const __m256 lo = _mm512_castps512_ps256(v);
  const __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));
  return hsum8(_mm256_add_ps(lo, hi));
}

TL_AVX512 void affine_avx512(float* s, int64_t n, float scale, const float* add1,
                             const float* add2) {
  const __m512 vs = _mm512_set1_ps(scale);
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    __m512 x = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, s + j), vs);
    if (add1) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, add1 + j));
    if (add2) x = _mm512_add_ps(x, _mm512_maskz_loadu_ps(m, add2 + j));
    _mm512_mask_storeu_ps(s + j, m, x);
  }
}

TL_AVX512 float max_avx512(const float* x, int64_t n) {
  const __m512 ninf = _mm512_set1_ps(kNegInf);
  __m512 m = ninf;
  for (int64_t j = 0; j < n; j += 16)
    m = _mm512_max_ps(m, _mm512_mask_loadu_ps(ninf, tail_mask(n - j), x + j));
  return _mm512_reduce_max_ps(m);
}

TL_AVX512 float exp_sum_avx512(float* x, int64_t n, float shift) {
  const __m512 vs = _mm512_set1_ps(shift), ninf = _mm512_set1_ps(kNegInf);
  __m512 sum = _mm512_setzero_ps();
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    const __m512 e = exp16(_mm512_sub_ps(_mm512_mask_loadu_ps(ninf, m, x + j), vs));
    _mm512_mask_storeu_ps(x + j, m, e);
    sum = _mm512_add_ps(sum, e);
  }
  return hsum16(sum);
}

TL_AVX512 void scale_avx512(float* x, int64_t n, float alpha) {
  const __m512 a = _mm512_set1_ps(alpha);
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    _mm512_mask_storeu_ps(x + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + j), a));
  }
}

TL_AVX512 void mul_avx512(float* x, const float* z, int64_t n) {
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    _mm512_mask_storeu_ps(
        x + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + j), _mm512_maskz_loadu_ps(m, z + j)));
  }
}

TL_AVX512 void softmax_grad_avx512(float* ds, const float* p, const float* dp, float delta,
                                   int64_t n) {
  const __m512 d = _mm512_set1_ps(delta);
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    const __m512 g = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, dp + j), d);
    _mm512_mask_storeu_ps(ds + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, p + j), g));
  }
}

TL_AVX512 float dot_avx512(const float* x, const float* y, int64_t n) {
  __m512 acc = _mm512_setzero_ps();
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, x + j), _mm512_maskz_loadu_ps(m, y + j), acc);
  }
  return hsum16(acc);
}

TL_AVX512 void add_avx512(float* y, const float* x, int64_t n) {
  for (int64_t j = 0; j < n; j += 16) {
    const __mmask16 m = tail_mask(n - j);
    _mm512_mask_storeu_ps(
        y + j, m, _mm512_add_ps(_mm512_maskz_loadu_ps(m, y + j), _mm512_maskz_loadu_ps(m, x + j)));
  }
}

// The block steps in one pass per row: the scores stay in registers from the load to the
// exp (the row ops above walk the block five times), and each result is the row ops' to the
// bit (same operations in the same order). kKeyBlock = 64 keys are 4 vectors.
constexpr int kKeyVectors = kKeyBlock / 16;

// Row r's scores with the invisible lanes at -inf; returns their max (-inf if none).
TL_AVX512 inline __m512 block_row_scores(const SoftmaxBlock& sb, int64_t r,
                                         __m512 (&x)[kKeyVectors]) {
  const __m512 vs = _mm512_set1_ps(sb.scale), ninf = _mm512_set1_ps(kNegInf);
  const float* s = sb.s + r * kKeyBlock;
  const float* bias = sb.bias ? sb.bias + r * sb.bias_ld : nullptr;
  const int64_t vis = sb.vis[r];
  __m512 mx = ninf;
#pragma GCC unroll 4
  for (int c = 0; c < kKeyVectors; ++c) {
    const int64_t j = 16 * c;
    const __mmask16 k = j < vis ? tail_mask(vis - j) : __mmask16(0);
    __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(k, s + j), vs);
    if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, bias + j));
    if (sb.kmadd) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(k, sb.kmadd + j));
    x[c] = _mm512_mask_blend_ps(k, ninf, v);
    mx = _mm512_max_ps(mx, x[c]);
  }
  return mx;
}

TL_AVX512 void zero_row(float* x, int64_t n) {
  for (int64_t j = 0; j < n; j += 16) _mm512_mask_storeu_ps(x + j, tail_mask(n - j), _mm512_setzero_ps());
}

// R rows at once: their chains (max, horizontal reductions, exp) are independent, so the
// core overlaps them; one row at a time is latency bound.
template <int R>
TL_AVX512 inline void online_softmax_rows_avx512(const SoftmaxBlock& sb, int64_t r0, float* m,
                                                 float* l, float* acc, int64_t D) {
  __m512 x[R][kKeyVectors];
  float m_new[R];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
    m_new[r] = std::max(m[r0 + r], _mm512_reduce_max_ps(block_row_scores(sb, r0 + r, x[r])));
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) {
    // All -inf (nothing visible yet): exp(-inf - 0) keeps the row 0 and avoids inf - inf.
    const __m512 vm = _mm512_set1_ps(m_new[r] == kNegInf ? 0.f : m_new[r]);
    float* s = sb.s + (r0 + r) * kKeyBlock;
    __m512 sum = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int c = 0; c < kKeyVectors; ++c) {
      const int64_t j = 16 * c;
      if (j >= sb.nk) break;
      const __m512 e = exp16(_mm512_sub_ps(x[r][c], vm));
      _mm512_mask_storeu_ps(s + j, tail_mask(sb.nk - j), e);
      sum = _mm512_add_ps(sum, e);
    }
    const float mo = m[r0 + r];
    const float alpha = mo == m_new[r] ? 1.f : std::exp(mo - m_new[r]);  // 0 when m was -inf
    if (alpha != 1.f) scale_avx512(acc + (r0 + r) * D, D, alpha);
    l[r0 + r] = l[r0 + r] * alpha + hsum16(sum);
    m[r0 + r] = m_new[r];
  }
}

// The row form, for blocks with a bias (forward_block_t takes the others).
TL_AVX512 void online_softmax_avx512(const SoftmaxBlock& sb, float* m, float* l, float* acc,
                                     int64_t D) {
  int64_t r = 0;
  for (; r + 4 <= sb.nq; r += 4) online_softmax_rows_avx512<4>(sb, r, m, l, acc, D);
  for (; r < sb.nq; ++r) online_softmax_rows_avx512<1>(sb, r, m, l, acc, D);
}

TL_AVX512 void probs_and_grads_avx512(const SoftmaxBlock& sb, const float* lse, const float* dp,
                                      const float* delta, float* ds) {
  for (int64_t r = 0; r < sb.nq; ++r) {
    float* s = sb.s + r * kKeyBlock;
    float* g = ds ? ds + r * kKeyBlock : nullptr;
    const int64_t vis = sb.vis[r];
    if (vis == 0 || lse[r] == kNegInf) {
      zero_row(s, sb.nk);
      if (g) zero_row(g, sb.nk);
      continue;
    }
    __m512 x[kKeyVectors];
    block_row_scores(sb, r, x);
    const __m512 vl = _mm512_set1_ps(lse[r]), vd = _mm512_set1_ps(ds ? delta[r] : 0.f);
#pragma GCC unroll 4
    for (int c = 0; c < kKeyVectors; ++c) {
      const int64_t j = 16 * c;
      if (j >= sb.nk) break;
      const __mmask16 tail = tail_mask(sb.nk - j), k = j < vis ? tail_mask(vis - j) : __mmask16(0);
      const __m512 e = exp16(_mm512_sub_ps(x[c], vl));
      _mm512_mask_storeu_ps(s + j, tail, e);
      if (g) {
        const __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(k, dp + r * kKeyBlock + j), vd);
        _mm512_mask_storeu_ps(g + j, tail, _mm512_maskz_mul_ps(k, e, d));
      }
    }
  }
}

constexpr AttnOps kAvx512Ops{matmul_avx512, affine_avx512,   max_avx512,
                             exp_sum_avx512, scale_avx512,   mul_avx512,
                             softmax_grad_avx512, dot_avx512, add_avx512, pack_t_avx2,
                             online_softmax_avx512, probs_and_grads_avx512};
#endif

const AttnOps& attn_ops() {
#if defined(__x86_64__)
  if (use_avx512()) return kAvx512Ops;
  if (use_avx2()) return kAvx2Ops;
#endif
  return kPortableOps;
}

// The block steps row by row through the row ops, where no fused form exists.
void online_softmax(const AttnOps& ops, const SoftmaxBlock& sb, float* m, float* l, float* acc,
                    int64_t D) {
  if (ops.online_softmax) return ops.online_softmax(sb, m, l, acc, D);
  for (int64_t r = 0; r < sb.nq; ++r) {
    float* s = sb.s + r * kKeyBlock;
    const int64_t vis = sb.vis[r];
    ops.affine(s, vis, sb.scale, sb.bias ? sb.bias + r * sb.bias_ld : nullptr, sb.kmadd);
    const float m_new = std::max(m[r], vis > 0 ? ops.max(s, vis) : kNegInf);
    if (m_new == kNegInf) {  // nothing visible yet: keep the row empty, avoid inf - inf
      std::fill(s, s + sb.nk, 0.f);
      continue;
    }
    const float sum = ops.exp_sum(s, vis, m_new);
    std::fill(s + vis, s + sb.nk, 0.f);
    const float alpha = std::exp(m[r] - m_new);  // 0 when m was -inf
    if (alpha != 1.f) ops.scale(acc + r * D, D, alpha);
    l[r] = l[r] * alpha + sum;
    m[r] = m_new;
  }
}

// s becomes P = exp(scores - lse) (0 where a query sees no key) and, if ds is not null,
// ds = P * (dp - delta), all rows (nq, kKeyBlock); lse and delta start at the block's row 0.
void probs_and_grads(const AttnOps& ops, const SoftmaxBlock& sb, const float* lse,
                     const float* dp, const float* delta, float* ds) {
  if (ops.probs_and_grads) return ops.probs_and_grads(sb, lse, dp, delta, ds);
  for (int64_t r = 0; r < sb.nq; ++r) {
    float* s = sb.s + r * kKeyBlock;
    float* g = ds ? ds + r * kKeyBlock : nullptr;
    const int64_t vis = sb.vis[r];
    if (vis == 0 || lse[r] == kNegInf) {
      std::fill(s, s + sb.nk, 0.f);
      if (g) std::fill(g, g + sb.nk, 0.f);
      continue;
    }
    ops.affine(s, vis, sb.scale, sb.bias ? sb.bias + r * sb.bias_ld : nullptr, sb.kmadd);
    ops.exp_sum(s, vis, lse[r]);
    std::fill(s + vis, s + sb.nk, 0.f);
    if (g) {
      ops.softmax_grad(g, s, dp + r * kKeyBlock, delta[r], vis);
      std::fill(g + vis, g + sb.nk, 0.f);
    }
  }
}

// Dropout mask from a counter-based hash: keep(b, h, i, j) depends on nothing else, so the
// backward pass (and any thread) regenerates it exactly. SplitMix64 over a per-row stream.
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

struct Dropout {
  bool on = false;
  uint32_t threshold = 0;  // drop iff 24 random bits < threshold
  float inv_keep = 1.f;    // 1 / (1 - p), PyTorch's rescaling of the kept entries
  uint64_t base = 0;

  Dropout(float p, uint64_t seed) {
    if (!(p > 0.f)) return;
    on = true;
    base = splitmix64(seed);
    if (p >= 1.f) {
      threshold = 1u << 24;
      inv_keep = 0.f;
    } else {
      threshold = static_cast<uint32_t>(std::lround(double(p) * double(1u << 24)));
      inv_keep = 1.f / (1.f - p);
    }
  }
  // row = (b * H + h) * Tq + i, the query row's flat index.
  uint64_t row_key(int64_t row) const { return splitmix64(base + static_cast<uint64_t>(row)); }
  // z (n) = keep(j0 + j) ? 1 / (1 - p) : 0
  void factors(float* z, uint64_t key, int64_t j0, int64_t n) const {
    for (int64_t j = 0; j < n; ++j) {
      uint64_t bits = splitmix64(key ^ (static_cast<uint64_t>(j0 + j) * 0xD1B54A32D192ED03ull));
      z[j] = static_cast<uint32_t>(bits >> 40) >= threshold ? inv_keep : 0.f;
    }
  }
};

// Everything a task reads, resolved once per call.
struct Problem {
  const AttentionArgs& a;
  const AttnOps& ops;
  Dropout drop;
  int64_t group;                  // query heads per kv head
  int64_t offset;                 // Tk - Tq: causal shift
  std::vector<int64_t> key_end;   // (B) one past the last key the mask lets through
  // Row strides with the contiguous defaults filled in (kernels.h AttnRows).
  AttnRows q, k, v, out, dout, dq, dk, dv;

  Problem(const AttentionArgs& args, const AttnOps& o)
      : a(args), ops(o), drop(args.dropout_p, args.seed), group(args.H / args.Hkv),
        offset(args.Tk - args.Tq), key_end(args.B, args.Tk) {
    auto rows = [&](AttnRows r, int64_t heads, int64_t T) {
      if (r.b == 0 && r.h == 0 && r.t == 0) r = AttnRows{heads * T * a.D, T * a.D, a.D};
      return r;
    };
    q = rows(a.q_rows, a.H, a.Tq), out = rows(a.out_rows, a.H, a.Tq);
    dout = rows(a.dout_rows, a.H, a.Tq), dq = rows(a.dq_rows, a.H, a.Tq);
    k = rows(a.k_rows, a.Hkv, a.Tk), v = rows(a.v_rows, a.Hkv, a.Tk);
    dk = rows(a.dk_rows, a.Hkv, a.Tk), dv = rows(a.dv_rows, a.Hkv, a.Tk);
    // Right padding is the common case: keys past the last real one need no work at all.
    if (a.key_mask)
      for (int64_t b = 0; b < a.B; ++b) {
        int64_t e = a.Tk;
        while (e > 0 && !a.key_mask[b * a.Tk + e - 1]) --e;
        key_end[b] = e;
      }
  }
  // Row i of head h of batch item b of an operand with row strides r.
  static int64_t at(const AttnRows& r, int64_t b, int64_t h, int64_t i) {
    return b * r.b + h * r.h + i * r.t;
  }
  // Number of keys in [j0, j0 + nk) query i may see under the causal rule.
  int64_t visible(int64_t i, int64_t j0, int64_t nk) const {
    if (!a.causal) return nk;
    return std::clamp<int64_t>(i + offset + 1 - j0, 0, nk);
  }
  // One past the last key any of queries [0, i_end) may see.
  int64_t keys_for(int64_t b, int64_t i_end) const {
    int64_t e = key_end[b];
    if (a.causal) e = std::clamp<int64_t>(i_end + offset, 0, e);
    return e;
  }
  const float* bias_row(int64_t b, int64_t h, int64_t i) const {
    if (!a.bias) return nullptr;
    int64_t bb = a.bias_batch > 1 ? b : 0;
    return a.bias + ((bb * a.H + h) * a.Tq + i) * a.Tk;
  }
  // kmadd (nk) = 0 where the key mask lets key j0 + j through, -inf elsewhere; null if no mask.
  const float* mask_add(float* kmadd, int64_t b, int64_t j0, int64_t nk) const {
    if (!a.key_mask) return nullptr;
    for (int64_t j = 0; j < nk; ++j) kmadd[j] = a.key_mask[b * a.Tk + j0 + j] ? 0.f : kNegInf;
    return kmadd;
  }
};

// Under the causal rule a block's rows see a growing prefix of its keys (vis[r] grows with
// r), so the products run over 16-row runs, each over the keys its last row sees rounded up
// to 16: P and dS are 0 past a row's visible keys, and a diagonal block costs 5/8 of a full
// one. Bit-identical to the whole block (only zero terms are skipped). Without the causal
// rule: one run over every row and key.
constexpr int64_t kRun = 16;
template <class Fn>  // fn(first row, rows, keys)
void query_runs(const int64_t* vis, int64_t nq, int64_t nk, bool causal, Fn fn) {
  if (!causal) return fn(int64_t(0), nq, nk);
  for (int64_t r0 = 0; r0 < nq; r0 += kRun) {
    const int64_t rows = std::min(kRun, nq - r0);
    const int64_t keys = std::min(nk, (vis[r0 + rows - 1] + kRun - 1) / kRun * kRun);
    if (keys > 0) fn(r0, rows, keys);
  }
}
// The same for products whose rows are keys (dV, dK): 16-key runs, each over the queries
// from the first one that sees the run's first key.
template <class Fn>  // fn(first key, keys, first query)
void key_runs(const int64_t* vis, int64_t nq, int64_t nk, bool causal, Fn fn) {
  if (!causal) return fn(int64_t(0), nk, int64_t(0));
  int64_t r = 0;
  for (int64_t c0 = 0; c0 < nk; c0 += kRun) {
    while (r < nq && vis[r] <= c0) ++r;
    if (r == nq) return;
    fn(c0, std::min(kRun, nk - c0), r);
  }
}

// ---------------------------------------------------------------------------------------
// Forward

// Per thread. K^T of the kv head the last task used stays packed, block by block, so the
// query blocks and query heads that share it (consecutive tasks) do not transpose it again;
// above kMaxCachedKt floats only one block is kept and every task packs its own.
constexpr int64_t kMaxCachedKt = int64_t(1) << 20;
struct ForwardScratch {
  std::vector<float> kt, qt, s, acc, m, l, kmadd, z;
  int64_t kt_kv = -1;      // flat (b, kv head) index whose blocks kt holds
  int64_t kt_blocks = 0;   // blocks [0, kt_blocks) of it are packed
  bool cache_kt;
  ForwardScratch(int64_t D, int64_t Tk)
      : qt(D * kQueryBlock), s(kQueryBlock * kKeyBlock), acc(kQueryBlock * D), m(kQueryBlock),
        l(kQueryBlock),
        kmadd(kKeyBlock), z(kKeyBlock) {
    const int64_t blocks = (Tk + kKeyBlock - 1) / kKeyBlock;
    cache_kt = D * kKeyBlock * blocks <= kMaxCachedKt;
    kt.resize(D * kKeyBlock * (cache_kt ? blocks : 1));
  }
  // K^T block starting at key j0 of kv head `kv` (rows kb (Tk, D), ld apart), packed on
  // first use.
  const float* key_block(const AttnOps& ops, int64_t kv, const float* kb, int64_t ld,
                         int64_t j0, int64_t Tk, int64_t D) {
    const int64_t blk = j0 / kKeyBlock, nk = std::min(kKeyBlock, Tk - j0);
    if (!cache_kt) {
      ops.pack_t(kt.data(), kb + j0 * ld, ld, nk, D);
      return kt.data();
    }
    if (kv != kt_kv) kt_kv = kv, kt_blocks = 0;
    float* dst = kt.data() + blk * D * kKeyBlock;
    for (; kt_blocks <= blk; ++kt_blocks) {  // blocks are asked for in order from 0
      const int64_t b0 = kt_blocks * kKeyBlock;
      ops.pack_t(kt.data() + kt_blocks * D * kKeyBlock, kb + b0 * ld, ld,
                 std::min(kKeyBlock, Tk - b0), D);
    }
    return dst;
  }
};

// out rows = acc / l and lse = m + log(l), or 0 and -inf for rows that saw no key.
void finish_block(const Problem& p, float* out, float* lse, int64_t b, int64_t h, int64_t i0,
                  int64_t nq, ForwardScratch& w) {
  const AttentionArgs& a = p.a;
  const int64_t D = a.D, bh = b * a.H + h;
  const float* acc = w.acc.data();
  for (int64_t r = 0; r < nq; ++r) {
    float* o = out + Problem::at(p.out, b, h, i0 + r);
    const float l = w.l[r];
    if (l > 0.f) {
      std::copy(acc + r * D, acc + (r + 1) * D, o);
      p.ops.scale(o, D, 1.f / l);
      lse[bh * a.Tq + i0 + r] = w.m[r] + std::log(l);
    } else {
      std::fill(o, o + D, 0.f);
      lse[bh * a.Tq + i0 + r] = kNegInf;
    }
  }
}

#if defined(__x86_64__)
// forward_block with the scores transposed, (keys, queries): the online softmax then runs
// down the columns, 16 queries a vector, with no horizontal reductions and no per-row scalar
// work (the row form is latency bound on those). AVX-512, no bias; K is read in place as the
// product's broadcast operand and the query block is packed transposed instead.
static_assert(kQueryBlock == 64 && kKeyBlock == 64, "4 vectors of queries, 64-float rows");
TL_AVX512 void forward_block_t(const Problem& p, float* out, float* lse, const float* q,
                               const float* k, const float* v, int64_t b, int64_t h,
                               int64_t i0, ForwardScratch& w) {
  const AttentionArgs& a = p.a;
  const AttnOps& ops = p.ops;
  const int64_t D = a.D, nq = std::min(kQueryBlock, a.Tq - i0);
  const int64_t bh = b * a.H + h, kvh = h / p.group;
  const float* qb = q + Problem::at(p.q, b, h, i0);  // (nq, D), rows p.q.t apart
  const float* kb = k + Problem::at(p.k, b, kvh, 0);  // (Tk, D), rows p.k.t apart
  const float* vb = v + Problem::at(p.v, b, kvh, 0);  // (Tk, D), rows p.v.t apart
  float* acc = w.acc.data();                          // (nq, D) unnormalised output
  float* st = w.s.data();                             // (keys, kQueryBlock) scores, then P^T
  std::fill(acc, acc + nq * D, 0.f);
  // q_block^T (D, kQueryBlock) times the scale, so the product gives the scores
  ops.pack_t(w.qt.data(), qb, p.q.t, nq, D);
  scale_avx512(w.qt.data(), D * kQueryBlock, a.scale);
  const __m512 ninf = _mm512_set1_ps(kNegInf);
  __m512 m[4], l[4];
  for (int c = 0; c < 4; ++c) m[c] = ninf, l[c] = _mm512_setzero_ps();
  alignas(64) int32_t vis32[kQueryBlock];
  alignas(64) float alpha[kQueryBlock];

  const int64_t j_end = p.keys_for(b, i0 + nq);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, j_end - j0);
    const float* kmadd = p.mask_add(w.kmadd.data(), b, j0, nk);
    int64_t vis[kQueryBlock];
    for (int64_t r = 0; r < kQueryBlock; ++r) {
      vis[r] = r < nq ? p.visible(i0 + r, j0, nk) : 0;  // padding columns see nothing
      vis32[r] = int32_t(vis[r]);
    }
    // st (nk, queries) = k_block @ q_block^T, from the first query that sees each key run
    key_runs(vis, nq, nk, a.causal, [&](int64_t c0, int64_t keys, int64_t r0) {
      const int64_t q0 = r0 / 16 * 16;
      ops.matmul(keys, kQueryBlock - q0, D, kb + (j0 + c0) * p.k.t, p.k.t, 1,
                 w.qt.data() + q0, kQueryBlock, st + c0 * kQueryBlock + q0, kQueryBlock, false);
    });
    // Scores, masked to -inf where a query does not see the key, and their column max.
    __m512 mx[4];
    for (int c = 0; c < 4; ++c) mx[c] = ninf;
    if (nq == kQueryBlock && vis[0] == nk && !kmadd) {  // every query sees every key
      for (int64_t j = 0; j < nk; ++j)
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c)
          mx[c] = _mm512_max_ps(mx[c], _mm512_loadu_ps(st + j * kQueryBlock + 16 * c));
    } else {
      __m512i vv[4];
      for (int c = 0; c < 4; ++c) vv[c] = _mm512_load_si512(vis32 + 16 * c);
      for (int64_t j = 0; j < nk; ++j) {
        const __m512i vj = _mm512_set1_epi32(int32_t(j));
        const __m512 add = _mm512_set1_ps(kmadd ? kmadd[j] : 0.f);
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
          float* x = st + j * kQueryBlock + 16 * c;
          const __mmask16 seen = _mm512_cmpgt_epi32_mask(vv[c], vj);
          const __m512 sx =
              _mm512_mask_blend_ps(seen, ninf, _mm512_add_ps(_mm512_loadu_ps(x), add));
          _mm512_storeu_ps(x, sx);
          mx[c] = _mm512_max_ps(mx[c], sx);
        }
      }
    }
    __m512 vm[4], sum[4];
    for (int c = 0; c < 4; ++c) {
      const __m512 m_new = _mm512_max_ps(m[c], mx[c]);
      // Columns with nothing visible yet subtract 0: exp(-inf) keeps them 0, no inf - inf.
      vm[c] = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(m_new, ninf, _CMP_EQ_OQ), m_new,
                                   _mm512_setzero_ps());
      _mm512_store_ps(alpha + 16 * c, exp16(_mm512_sub_ps(m[c], vm[c])));  // 0 if m was -inf
      m[c] = m_new, sum[c] = _mm512_setzero_ps();
    }
    for (int64_t j = 0; j < nk; ++j) {
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        float* x = st + j * kQueryBlock + 16 * c;
        const __m512 e = exp16(_mm512_sub_ps(_mm512_loadu_ps(x), vm[c]));
        _mm512_storeu_ps(x, e);
        sum[c] = _mm512_add_ps(sum[c], e);
      }
    }
    for (int c = 0; c < 4; ++c)
      l[c] = _mm512_fmadd_ps(l[c], _mm512_load_ps(alpha + 16 * c), sum[c]);
    for (int64_t r = 0; r < nq; ++r)
      if (alpha[r] != 1.f) scale_avx512(acc + r * D, D, alpha[r]);
    if (p.drop.on)  // the sums above are pre-dropout: dropout acts on normalised P
      for (int64_t r = 0; r < nq; ++r) {
        p.drop.factors(w.z.data(), p.drop.row_key(bh * a.Tq + i0 + r), j0, vis[r]);
        for (int64_t j = 0; j < vis[r]; ++j) st[j * kQueryBlock + r] *= w.z[j];
      }
    // acc (nq, D) += P (nq, nk) @ v_block (nk, D), P read from st transposed
    query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
      ops.matmul(rows, D, keys, st + r0, 1, kQueryBlock, vb + j0 * p.v.t, p.v.t, acc + r0 * D,
                 D, true);
    });
  }
  for (int c = 0; c < 4; ++c) {
    _mm512_storeu_ps(w.m.data() + 16 * c, m[c]);
    _mm512_storeu_ps(w.l.data() + 16 * c, l[c]);
  }
  finish_block(p, out, lse, b, h, i0, nq, w);
}
#endif

void forward_block(const Problem& p, float* out, float* lse, const float* q, const float* k,
                   const float* v, int64_t b, int64_t h, int64_t i0, ForwardScratch& w) {
  const AttentionArgs& a = p.a;
  const AttnOps& ops = p.ops;
  const int64_t D = a.D, nq = std::min(kQueryBlock, a.Tq - i0);
  const int64_t bh = b * a.H + h, kvh = h / p.group, kv = b * a.Hkv + kvh;
  const float* qb = q + Problem::at(p.q, b, h, i0);  // (nq, D), rows p.q.t apart
  const float* kb = k + Problem::at(p.k, b, kvh, 0);  // (Tk, D), rows p.k.t apart
  const float* vb = v + Problem::at(p.v, b, kvh, 0);  // (Tk, D), rows p.v.t apart
  float* acc = w.acc.data();                    // (nq, D) unnormalised output
  std::fill(acc, acc + nq * D, 0.f);
  std::fill(w.m.begin(), w.m.end(), kNegInf);
  std::fill(w.l.begin(), w.l.end(), 0.f);

  const int64_t j_end = p.keys_for(b, i0 + nq);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, j_end - j0);
    const float* kt = w.key_block(ops, kv, kb, p.k.t, j0, a.Tk, D);
    const float* kmadd = p.mask_add(w.kmadd.data(), b, j0, nk);
    int64_t vis[kQueryBlock];
    for (int64_t r = 0; r < nq; ++r) vis[r] = p.visible(i0 + r, j0, nk);
    // s (nq, kKeyBlock) = q_block @ k_block^T
    query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
      ops.matmul(rows, keys, D, qb + r0 * p.q.t, p.q.t, 1, kt, kKeyBlock,
                 w.s.data() + r0 * kKeyBlock, kKeyBlock, false);
    });
    const float* bias = p.bias_row(b, h, i0);
    const SoftmaxBlock sb{w.s.data(), nq, nk, vis, a.scale, bias ? bias + j0 : nullptr, a.Tk, kmadd};
    online_softmax(ops, sb, w.m.data(), w.l.data(), acc, D);
    if (p.drop.on)  // the sums above are pre-dropout: dropout acts on normalised P
      for (int64_t r = 0; r < nq; ++r) {
        p.drop.factors(w.z.data(), p.drop.row_key(bh * a.Tq + i0 + r), j0, vis[r]);
        ops.mul(w.s.data() + r * kKeyBlock, w.z.data(), vis[r]);
      }
    // acc (nq, D) += p (nq, nk) @ v_block (nk, D)
    query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
      ops.matmul(rows, D, keys, w.s.data() + r0 * kKeyBlock, kKeyBlock, 1, vb + j0 * p.v.t,
                 p.v.t, acc + r0 * D, D, true);
    });
  }

  finish_block(p, out, lse, b, h, i0, nq, w);
}

// ---------------------------------------------------------------------------------------
// Backward

struct Grads {
  float *dq, *dk, *dv, *dbias;
  const float* dout;
};

struct BackwardScratch {
  std::vector<float> kt, vt, s, dp, ds, dk, dv, kmadd, z, delta;
  BackwardScratch(int64_t D, int64_t group, int64_t Tq)
      : kt(D * kKeyBlock), vt(D * kKeyBlock), s(kQueryBlock * kKeyBlock),
        dp(kQueryBlock * kKeyBlock), ds(kQueryBlock * kKeyBlock), dk(kKeyBlock * D),
        dv(kKeyBlock * D), kmadd(kKeyBlock), z(kQueryBlock * kKeyBlock), delta(group * Tq) {}
};

// Gradients of one (b, kv head): dk/dv rows of that head, dq and dbias rows of its query
// heads. dq must already be zero; it is scaled by the caller's loop at the end.
void backward_kv_head(const Problem& p, const Grads& g, const float* q, const float* k,
                      const float* v, const float* out, const float* lse, int64_t b,
                      int64_t kvh, BackwardScratch& w) {
  const AttentionArgs& a = p.a;
  const AttnOps& ops = p.ops;
  const int64_t D = a.D, h0 = kvh * p.group;
  const bool need_ds = g.dq || g.dk || g.dbias;
  const float* kb = k + Problem::at(p.k, b, kvh, 0);  // (Tk, D), rows p.k.t apart
  const float* vb = v + Problem::at(p.v, b, kvh, 0);  // (Tk, D), rows p.v.t apart

  // delta (group, Tq): D_i = dout_i . out_i
  for (int64_t hh = 0; hh < p.group; ++hh)
    for (int64_t i = 0; i < a.Tq; ++i)
      w.delta[hh * a.Tq + i] = ops.dot(g.dout + Problem::at(p.dout, b, h0 + hh, i),
                                       out + Problem::at(p.out, b, h0 + hh, i), D);

  const int64_t j_end = p.keys_for(b, a.Tq);
  for (int64_t j0 = 0; j0 < j_end; j0 += kKeyBlock) {
    const int64_t nk = std::min(kKeyBlock, j_end - j0);
    ops.pack_t(w.kt.data(), kb + j0 * p.k.t, p.k.t, nk, D);
    if (need_ds) ops.pack_t(w.vt.data(), vb + j0 * p.v.t, p.v.t, nk, D);
    const float* kmadd = p.mask_add(w.kmadd.data(), b, j0, nk);
    std::fill(w.dk.begin(), w.dk.begin() + nk * D, 0.f);
    std::fill(w.dv.begin(), w.dv.begin() + nk * D, 0.f);
    // Queries before i_start see none of these keys under the causal rule.
    const int64_t i_start = a.causal ? std::clamp<int64_t>(j0 - p.offset, 0, a.Tq) : 0;

    for (int64_t hh = 0; hh < p.group; ++hh) {
      const int64_t h = h0 + hh, bh = b * a.H + h;
      for (int64_t i0 = i_start; i0 < a.Tq; i0 += kQueryBlock) {
        const int64_t nq = std::min(kQueryBlock, a.Tq - i0);
        const float* qb = q + Problem::at(p.q, b, h, i0);          // (nq, D)
        const float* dob = g.dout + Problem::at(p.dout, b, h, i0);  // (nq, D)
        int64_t vis[kQueryBlock];
        for (int64_t r = 0; r < nq; ++r) vis[r] = p.visible(i0 + r, j0, nk);
        // s = q k^T and dp = dout v^T, both (nq, kKeyBlock)
        query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
          ops.matmul(rows, keys, D, qb + r0 * p.q.t, p.q.t, 1, w.kt.data(), kKeyBlock,
                     w.s.data() + r0 * kKeyBlock, kKeyBlock, false);
          if (need_ds)
            ops.matmul(rows, keys, D, dob + r0 * p.dout.t, p.dout.t, 1, w.vt.data(), kKeyBlock,
                       w.dp.data() + r0 * kKeyBlock, kKeyBlock, false);
        });
        // Dropout: dP wrt the undropped P is dP * z; the factors stay for P's turn below.
        if (p.drop.on)
          for (int64_t r = 0; r < nq; ++r) {
            float* z = w.z.data() + r * kKeyBlock;
            p.drop.factors(z, p.drop.row_key(bh * a.Tq + i0 + r), j0, vis[r]);
            if (need_ds) ops.mul(w.dp.data() + r * kKeyBlock, z, vis[r]);
          }
        const float* bias = p.bias_row(b, h, i0);
        const SoftmaxBlock sb{w.s.data(), nq, nk, vis, a.scale, bias ? bias + j0 : nullptr,
                              a.Tk, kmadd};
        probs_and_grads(ops, sb, lse + bh * a.Tq + i0, w.dp.data(),
                        w.delta.data() + hh * a.Tq + i0, need_ds ? w.ds.data() : nullptr);
        for (int64_t r = 0; r < nq; ++r) {
          if (g.dbias && vis[r] > 0) {
            const int64_t bb = a.bias_batch > 1 ? b : 0;
            ops.add(g.dbias + ((bb * a.H + h) * a.Tq + i0 + r) * a.Tk + j0,
                    w.ds.data() + r * kKeyBlock, vis[r]);
          }
          if (p.drop.on) ops.mul(w.s.data() + r * kKeyBlock, w.z.data() + r * kKeyBlock, vis[r]);
        }
        // dv (nk, D) += dropout(P)^T @ dout;  dk += dS^T @ q;  dq (nq, D) += dS @ k
        key_runs(vis, nq, nk, a.causal, [&](int64_t c0, int64_t keys, int64_t r0) {
          if (g.dv)
            ops.matmul(keys, D, nq - r0, w.s.data() + r0 * kKeyBlock + c0, 1, kKeyBlock,
                       dob + r0 * p.dout.t, p.dout.t, w.dv.data() + c0 * D, D, true);
          if (g.dk)
            ops.matmul(keys, D, nq - r0, w.ds.data() + r0 * kKeyBlock + c0, 1, kKeyBlock,
                       qb + r0 * p.q.t, p.q.t, w.dk.data() + c0 * D, D, true);
        });
        if (g.dq)
          query_runs(vis, nq, nk, a.causal, [&](int64_t r0, int64_t rows, int64_t keys) {
            ops.matmul(rows, D, keys, w.ds.data() + r0 * kKeyBlock, kKeyBlock, 1,
                       kb + j0 * p.k.t, p.k.t, g.dq + Problem::at(p.dq, b, h, i0 + r0), p.dq.t,
                       true);
          });
      }
    }
    for (int64_t j = 0; j < nk; ++j) {
      if (g.dk) {
        float* dst = g.dk + Problem::at(p.dk, b, kvh, j0 + j);
        for (int64_t d = 0; d < D; ++d) dst[d] = w.dk[j * D + d] * a.scale;
      }
      if (g.dv)
        std::copy(w.dv.begin() + j * D, w.dv.begin() + (j + 1) * D,
                  g.dv + Problem::at(p.dv, b, kvh, j0 + j));
    }
  }
  // Keys nobody sees (padding, or after every query under the causal rule).
  for (int64_t j = j_end; j < a.Tk; ++j) {
    if (g.dk) std::fill_n(g.dk + Problem::at(p.dk, b, kvh, j), D, 0.f);
    if (g.dv) std::fill_n(g.dv + Problem::at(p.dv, b, kvh, j), D, 0.f);
  }
}

}  // namespace

void attention_forward(float* out, float* lse, const float* q, const float* k,
                       const float* v, const AttentionArgs& a) {
  const Problem p(a, attn_ops());
  const int64_t q_blocks = (a.Tq + kQueryBlock - 1) / kQueryBlock, tasks = a.B * a.H * q_blocks;
  // Below ~2^18 multiply-adds (a generated token's query against its cache) handing tasks
  // to the pool costs more than the work: 12 heads x 96 keys took 12 us on one thread, 20+ on two.
  const bool tiny = double(a.B * a.H) * double(a.Tq) * double(a.Tk) * double(a.D) < 262144.0;
  parallel_for(tasks, tiny ? tasks : 1, [&](int, int64_t begin, int64_t end) {
    ForwardScratch w(a.D, a.Tk);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t bh = t / q_blocks, i0 = (t % q_blocks) * kQueryBlock;
#if defined(__x86_64__)
      if (use_avx512() && !a.bias) {
        forward_block_t(p, out, lse, q, k, v, bh / a.H, bh % a.H, i0, w);
        continue;
      }
#endif
      forward_block(p, out, lse, q, k, v, bh / a.H, bh % a.H, i0, w);
    }
  });
}

void attention_backward(float* dq, float* dk, float* dv, float* dbias, const float* dout,
                        const float* q, const float* k, const float* v, const float* out,
                        const float* lse, const AttentionArgs& a) {
  const Problem p(a, attn_ops());
  const Grads g{dq, dk, dv, dbias, dout};
  // dbias shared over the batch is a sum over b: one task per kv head walks b in order.
  const bool batch_inside = dbias && a.bias_batch == 1 && a.B > 1;
  const int64_t tasks = batch_inside ? a.Hkv : a.B * a.Hkv;
  parallel_for(tasks, 1, [&](int, int64_t begin, int64_t end) {
    BackwardScratch w(a.D, p.group, a.Tq);
    for (int64_t t = begin; t < end; ++t) {
      const int64_t b_first = batch_inside ? 0 : t / a.Hkv;
      const int64_t b_last = batch_inside ? a.B : b_first + 1;
      const int64_t kvh = t % a.Hkv;
      if (dbias) {
        // This task's dbias rows, written only where a query sees a key: cleared first.
        const int64_t bb = a.bias_batch > 1 ? b_first : 0, n = p.group * a.Tq * a.Tk;
        float* rows = dbias + (bb * a.H + kvh * p.group) * a.Tq * a.Tk;
        std::fill(rows, rows + n, 0.f);
      }
      for (int64_t b = b_first; b < b_last; ++b) {
        // dq rows of this task's query heads: zeroed, accumulated over key blocks, scaled.
        auto each_dq_row = [&](auto fn) {
          if (!dq) return;
          for (int64_t h = kvh * p.group; h < (kvh + 1) * p.group; ++h)
            for (int64_t i = 0; i < a.Tq; ++i) fn(dq + Problem::at(p.dq, b, h, i));
        };
        each_dq_row([&](float* row) { std::fill_n(row, a.D, 0.f); });
        backward_kv_head(p, g, q, k, v, out, lse, b, kvh, w);
        each_dq_row([&](float* row) { p.ops.scale(row, a.D, a.scale); });
      }
    }
  });
}

}  // namespace tl
