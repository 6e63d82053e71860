// Row steps of attention (attention_ops.h): portable, AVX2/FMA and AVX-512, and the fused
// whole-block forms.
#include "attention_ops.h"

#include <algorithm>
#include <cmath>

#include "attention_tiles.h"
#include "simd.h"

namespace tl::attention_detail {
namespace {

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
    // The next 8 rows into L1 meanwhile: the models' rows are a whole token's heads apart
    // (3 KiB and more), a stride the hardware prefetchers follow late.
    for (int64_t j = j0 + 8; j < std::min(j0 + 16, nk); ++j)
      for (int64_t d = 0; d < D; d += 16) __builtin_prefetch(src + j * ld + d, 0, 3);
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

// 16-lane row loops; tails through masked loads (tail_mask, simd.h), so no scalar
// remainder. Masked-off lanes of exp_sum load -inf (exp gives 0) and of max load -inf.

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

}  // namespace

const AttnOps& attn_ops() {
#if defined(__x86_64__)
  if (use_avx512()) return kAvx512Ops;
  if (use_avx2()) return kAvx2Ops;
#endif
  return kPortableOps;
}

// Without a fused form: the block row by row through the row ops.
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


}  // namespace tl::attention_detail
