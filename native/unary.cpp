// Unary element-wise ops and their derivatives.
//
// Each op has a portable scalar form (the reference) and, for the hot ones, an AVX2/FMA
// form picked at run time by use_avx2(). Transcendentals use polynomial approximations
// accurate to a few ulp (see the accuracy sweeps in test/native/kernels_test.cpp); log,
// sin and cos stay on the C library in every path since no training step leans on them.
// The transcendental ones (exp, tanh, sigmoid, GELU both forms, SiLU) also have an AVX-512
// form at simd level 3; the cheap ops already run at memory speed with AVX2.
// Binary, scalar and where ops are in binary.cpp.
#include <cmath>
#include <cstring>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

constexpr float kSqrt2OverPi = 0.7978845608028654f;
constexpr float kGeluTanhC = 0.044715f;
constexpr float kInvSqrt2Pi = 0.3989422804014327f;

// ---------------------------------------------------------------------------------------
// Portable scalar forms: the reference every vector path is tested against.

// sigmoid without overflow or cancellation on either side.
inline float sigmoid_s(float x) {
  float e = std::exp(-std::fabs(x));
  float r = 1.f / (1.f + e);
  return x >= 0.f ? r : e * r;
}
// Standard normal CDF; erfc keeps the left tail accurate where 1 + erf(x) would cancel.
// In double: erfc's relative error grows like 2 z^2 times the rounding of z = -x/sqrt2.
inline float phi_cdf_s(float x) {
  return static_cast<float>(0.5 * std::erfc(-double(x) * 0.70710678118654752));
}
// HF gelu_new: 0.5 x (1 + tanh(u)) == x sigmoid(2u), which avoids the cancellation of
// 1 + tanh(u) for negative x. v = 2u is formed in double since sigmoid(v) amplifies its
// rounding by |v|.
inline float gelu_tanh_s(float x) {
  const double v = 2.0 * kSqrt2OverPi * x * (1.0 + double(kGeluTanhC) * x * x);
  return static_cast<float>(x / (1.0 + std::exp(-v)));
}

float unary_scalar(UnaryOp op, float x) {
  switch (op) {
    case U_NEG: return -x;
    case U_EXP: return std::exp(x);
    case U_LOG: return std::log(x);
    case U_SQRT: return std::sqrt(x);
    case U_RSQRT: return 1.f / std::sqrt(x);
    case U_TANH: return std::tanh(x);
    case U_SIGMOID: return sigmoid_s(x);
    case U_RELU: return x < 0.f ? 0.f : x;  // keeps NaN, as torch.relu does
    case U_GELU_ERF: return x * phi_cdf_s(x);
    case U_GELU_TANH: return gelu_tanh_s(x);
    case U_SILU: return x * sigmoid_s(x);
    case U_ABS: return std::fabs(x);
    case U_SQUARE: return x * x;
    case U_RECIPROCAL: return 1.f / x;
    case U_SIN: return std::sin(x);
    case U_COS: return std::cos(x);
  }
  return x;
}

// f'(x) for ops that need x; y = f(x) for those that need it.
float unary_grad_scalar(UnaryOp op, float x, float y) {
  switch (op) {
    case U_NEG: return -1.f;
    case U_EXP: return y;
    case U_LOG: return 1.f / x;
    case U_SQRT: return 0.5f / y;
    case U_RSQRT: return -0.5f * y * y * y;
    case U_TANH: return 1.f - y * y;
    case U_SIGMOID: return y * (1.f - y);
    case U_RELU: return x > 0.f ? 1.f : 0.f;
    case U_GELU_ERF: return phi_cdf_s(x) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
    case U_GELU_TANH: {
      float s = sigmoid_s(2.f * kSqrt2OverPi * x * (1.f + kGeluTanhC * x * x));
      float dv = 2.f * kSqrt2OverPi * (1.f + 3.f * kGeluTanhC * x * x);
      return s + x * s * (1.f - s) * dv;
    }
    case U_SILU: {
      float s = sigmoid_s(x);
      return s * (1.f + x * (1.f - s));
    }
    case U_ABS: return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);
    case U_SQUARE: return 2.f * x;
    case U_RECIPROCAL: return -y * y;
    case U_SIN: return std::cos(x);
    case U_COS: return -std::sin(x);
  }
  return 0.f;
}

bool grad_reads_y(UnaryOp op) {
  return op == U_EXP || op == U_SQRT || op == U_RSQRT || op == U_TANH || op == U_SIGMOID ||
         op == U_RECIPROCAL;
}

void unary_forward_portable(UnaryOp op, float* out, const float* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = unary_scalar(op, x[i]);
}

// y may be null for ops whose gradient reads y: it is then recomputed from x.
void unary_backward_portable(UnaryOp op, float* dx, const float* dy, const float* x,
                             const float* y, int64_t n) {
  const bool need_y = grad_reads_y(op);
  for (int64_t i = 0; i < n; ++i) {
    float xi = x ? x[i] : 0.f;
    float yi = need_y ? (y ? y[i] : unary_scalar(op, xi)) : 0.f;
    dx[i] = dy[i] * unary_grad_scalar(op, xi, yi);
  }
}

// ---------------------------------------------------------------------------------------
// AVX2/FMA forms, on simd.h's exp8 and poly8.
#if defined(__x86_64__)

TL_AVX2 inline __m256 abs8(__m256 x) {
  return _mm256_andnot_ps(_mm256_set1_ps(-0.f), x);
}

TL_AVX2 inline __m256 sigmoid8(__m256 x) {
  __m256 e = exp8(_mm256_or_ps(x, _mm256_set1_ps(-0.f)));  // exp(-|x|)
  __m256 r = _mm256_div_ps(_mm256_set1_ps(1.f), _mm256_add_ps(_mm256_set1_ps(1.f), e));
  __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  return _mm256_blendv_ps(r, _mm256_mul_ps(e, r), neg);
}

// |x| < 0.625: odd polynomial (Cephes tanhf); above: 1 - 2 / (exp(2|x|) + 1), which
// has no cancellation there.
TL_AVX2 inline __m256 tanh8(__m256 x) {
  static const float c[] = {-3.33332819422e-1f, 1.33314422036e-1f, -5.37397155531e-2f,
                            2.06390887954e-2f, -5.70498872745e-3f};
  __m256 a = abs8(x);
  __m256 s = _mm256_mul_ps(x, x);
  __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(poly8(s, c, 4), s), x, x);
  __m256 e = exp8(_mm256_add_ps(a, a));
  __m256 large = _mm256_sub_ps(
      _mm256_set1_ps(1.f),
      _mm256_div_ps(_mm256_set1_ps(2.f), _mm256_add_ps(e, _mm256_set1_ps(1.f))));
  large = _mm256_or_ps(large, _mm256_and_ps(x, _mm256_set1_ps(-0.f)));  // sign of x
  return _mm256_blendv_ps(large, small, _mm256_cmp_ps(a, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
}

// Standard normal CDF, with *gauss = exp(-x^2/2) for the GELU derivative, by one formula
// on the whole line: the tail Phi(-a) = exp(-a^2/2) Q(t), a = |x|, t = 1 / (1 + 3a/8), is
// accurate relative to its own size however small, and Phi(x) = 1 - Phi(-|x|) for x > 0
// loses nothing since Phi(-|x|) <= 1/2 there. No erf polynomial on a central range: it
// would cancel against 0.5 for negative x and cost a second polynomial and blend.
// - x^2 = s + s_lo exactly (FMA), since exp(-x^2/2) amplifies the rounding of x^2 by x^2.
// - t is Newton-corrected for the rounding of d = 1 + 3a/8 (d + e exact): Q(t) amplifies
//   the error of t by up to ~2.5.
// - Q: degree-10 near-minimax fit in relative error (2.3e-9 before rounding coefficients
//   to float) on a in [0, 14.2], beyond which Phi(-a) underflows.
// Overall within ~3e-7 of the double reference (sweep in kernels_test.cpp).
constexpr float kPhiK = 0.375f;
constexpr float kPhiQ[] = {1.911180561e-06f, 1.495414227e-01f, 1.504814625e-01f,
                           1.213864312e-01f, 1.239919364e-01f, -9.850422293e-02f,
                           2.905389369e-01f, -5.112931132e-01f, 4.089631438e-01f,
                           -1.609282047e-01f, 2.582029812e-02f};

TL_AVX2 inline __m256 phi_cdf8(__m256 x, __m256* gauss) {
  const __m256 one = _mm256_set1_ps(1.f), k = _mm256_set1_ps(kPhiK);
  __m256 a = _mm256_min_ps(_mm256_set1_ps(16.f), abs8(x));  // exp(-128) is 0 already
  __m256 s = _mm256_mul_ps(a, a);
  __m256 s_lo = _mm256_fmsub_ps(a, a, s);
  __m256 g = exp8(_mm256_mul_ps(s, _mm256_set1_ps(-0.5f)));
  g = _mm256_fnmadd_ps(_mm256_mul_ps(g, _mm256_set1_ps(0.5f)), s_lo, g);  // * exp(-s_lo/2)
  *gauss = g;
  __m256 d = _mm256_fmadd_ps(a, k, one);
  __m256 e = _mm256_fmadd_ps(a, k, _mm256_sub_ps(one, d));  // d + e = 1 + ka
  __m256 t = _mm256_div_ps(one, d);
  __m256 r = _mm256_fnmadd_ps(e, t, _mm256_fnmadd_ps(d, t, one));
  t = _mm256_fmadd_ps(t, r, t);
  __m256 tail = _mm256_mul_ps(g, poly8(t, kPhiQ, 10));
  __m256 pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
  return _mm256_blendv_ps(tail, _mm256_sub_ps(one, tail), pos);
}

TL_AVX2 inline __m256 gelu_tanh_v8(__m256 x) {
  const __m256 k = _mm256_set1_ps(2.f * kSqrt2OverPi);
  __m256 s = _mm256_mul_ps(x, x);
  return _mm256_mul_ps(x, _mm256_fmadd_ps(_mm256_mul_ps(k, _mm256_set1_ps(kGeluTanhC)), s, k));
}

// One vector of f(x). Only called for ops with vector_unary(op) true.
TL_AVX2 inline __m256 unary8(UnaryOp op, __m256 x) {
  const __m256 one = _mm256_set1_ps(1.f);
  switch (op) {
    case U_NEG: return _mm256_xor_ps(x, _mm256_set1_ps(-0.f));
    case U_EXP: return exp8(x);
    case U_SQRT: return _mm256_sqrt_ps(x);
    case U_RSQRT: return _mm256_div_ps(one, _mm256_sqrt_ps(x));  // rsqrt_ps is only 12 bits
    case U_TANH: return tanh8(x);
    case U_SIGMOID: return sigmoid8(x);
    case U_RELU: return _mm256_max_ps(_mm256_setzero_ps(), x);
    case U_GELU_ERF: { __m256 g; return _mm256_mul_ps(x, phi_cdf8(x, &g)); }
    case U_GELU_TANH: return _mm256_mul_ps(x, sigmoid8(gelu_tanh_v8(x)));
    case U_SILU: return _mm256_mul_ps(x, sigmoid8(x));
    case U_ABS: return abs8(x);
    case U_SQUARE: return _mm256_mul_ps(x, x);
    case U_RECIPROCAL: return _mm256_div_ps(one, x);
    default: return x;
  }
}

// One vector of f'(x) given x and y = f(x).
TL_AVX2 inline __m256 unary_grad8(UnaryOp op, __m256 x, __m256 y) {
  const __m256 one = _mm256_set1_ps(1.f), zero = _mm256_setzero_ps();
  switch (op) {
    case U_NEG: return _mm256_set1_ps(-1.f);
    case U_EXP: return y;
    case U_LOG: return _mm256_div_ps(one, x);
    case U_SQRT: return _mm256_div_ps(_mm256_set1_ps(0.5f), y);
    case U_RSQRT: return _mm256_mul_ps(_mm256_set1_ps(-0.5f), _mm256_mul_ps(y, _mm256_mul_ps(y, y)));
    case U_TANH: return _mm256_fnmadd_ps(y, y, one);
    case U_SIGMOID: return _mm256_mul_ps(y, _mm256_sub_ps(one, y));
    case U_RELU: return _mm256_and_ps(_mm256_cmp_ps(x, zero, _CMP_GT_OQ), one);
    case U_GELU_ERF: {
      __m256 g;
      __m256 p = phi_cdf8(x, &g);
      return _mm256_fmadd_ps(_mm256_mul_ps(x, _mm256_set1_ps(kInvSqrt2Pi)), g, p);
    }
    case U_GELU_TANH: {
      __m256 s = sigmoid8(gelu_tanh_v8(x));
      __m256 dv = _mm256_fmadd_ps(_mm256_set1_ps(2.f * kSqrt2OverPi * 3.f * kGeluTanhC),
                                  _mm256_mul_ps(x, x), _mm256_set1_ps(2.f * kSqrt2OverPi));
      __m256 ds = _mm256_mul_ps(s, _mm256_sub_ps(one, s));
      return _mm256_fmadd_ps(_mm256_mul_ps(x, ds), dv, s);
    }
    case U_SILU: {
      __m256 s = sigmoid8(x);
      return _mm256_mul_ps(s, _mm256_fmadd_ps(x, _mm256_sub_ps(one, s), one));
    }
    case U_ABS: {
      __m256 pos = _mm256_and_ps(_mm256_cmp_ps(x, zero, _CMP_GT_OQ), one);
      __m256 neg = _mm256_and_ps(_mm256_cmp_ps(x, zero, _CMP_LT_OQ), one);
      return _mm256_sub_ps(pos, neg);
    }
    case U_SQUARE: return _mm256_add_ps(x, x);
    case U_RECIPROCAL: return _mm256_xor_ps(_mm256_mul_ps(y, y), _mm256_set1_ps(-0.f));
    default: return zero;
  }
}

// The tail goes through the same vector code via a padded copy, so every element of an
// array is computed by the same formula whatever its position.
TL_AVX2 void unary_forward_avx2(UnaryOp op, float* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(out + i, unary8(op, _mm256_loadu_ps(x + i)));
  if (i < n) {
    alignas(32) float buf[8] = {0};
    std::memcpy(buf, x + i, (n - i) * sizeof(float));
    _mm256_store_ps(buf, unary8(op, _mm256_load_ps(buf)));
    std::memcpy(out + i, buf, (n - i) * sizeof(float));
  }
}

TL_AVX2 void unary_backward_avx2(UnaryOp op, float* dx, const float* dy, const float* x,
                                 const float* y, int64_t n) {
  const bool need_y = grad_reads_y(op);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 xv = x ? _mm256_loadu_ps(x + i) : _mm256_setzero_ps();
    __m256 yv = _mm256_setzero_ps();
    if (need_y) yv = y ? _mm256_loadu_ps(y + i) : unary8(op, xv);
    _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), unary_grad8(op, xv, yv)));
  }
  if (i < n) {
    const int64_t r = n - i;
    alignas(32) float bx[8] = {0}, by[8] = {0}, bg[8] = {0};
    if (x) std::memcpy(bx, x + i, r * sizeof(float));
    if (y) std::memcpy(by, y + i, r * sizeof(float));
    std::memcpy(bg, dy + i, r * sizeof(float));
    __m256 xv = _mm256_load_ps(bx);
    __m256 yv = _mm256_setzero_ps();
    if (need_y) yv = y ? _mm256_load_ps(by) : unary8(op, xv);
    _mm256_store_ps(bg, _mm256_mul_ps(_mm256_load_ps(bg), unary_grad8(op, xv, yv)));
    std::memcpy(dx + i, bg, r * sizeof(float));
  }
}

// ---------------------------------------------------------------------------------------
// AVX-512 forms of the compute-bound ops (the transcendental ones; the others already run
// at memory speed with AVX2). The formulas of the 8-lane forms, with exp16's vscalefps for
// 2^n and recip16 in place of vdivps. Loops are instantiated per op so no switch sits in
// them, and the tail is one masked vector, so every element goes through the same formula.

TL_AVX512 inline __m512 or_bits16(__m512 x, __m512 y) {
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), _mm512_castps_si512(y)));
}
TL_AVX512 inline __m512 sign_of16(__m512 x) {
  return _mm512_castsi512_ps(
      _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(int(0x80000000u))));
}

TL_AVX512 inline __m512 sigmoid16(__m512 x) {
  __m512 e = exp16(or_bits16(x, _mm512_set1_ps(-0.f)));  // exp(-|x|)
  __m512 r = recip16(_mm512_add_ps(_mm512_set1_ps(1.f), e));
  return _mm512_mask_mul_ps(r, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), e, r);
}

TL_AVX512 inline __m512 tanh16(__m512 x) {
  static const float c[] = {-3.33332819422e-1f, 1.33314422036e-1f, -5.37397155531e-2f,
                            2.06390887954e-2f, -5.70498872745e-3f};
  __m512 a = _mm512_abs_ps(x);
  __m512 s = _mm512_mul_ps(x, x);
  __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(poly16(s, c, 4), s), x, x);
  __m512 ac = _mm512_min_ps(_mm512_set1_ps(10.f), a);  // tanh(10) is 1.f; keeps 1/(e+1) finite
  __m512 e = exp16(_mm512_add_ps(ac, ac));
  __m512 large = _mm512_fnmadd_ps(_mm512_set1_ps(2.f),
                                  recip16(_mm512_add_ps(e, _mm512_set1_ps(1.f))),
                                  _mm512_set1_ps(1.f));
  large = or_bits16(large, sign_of16(x));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_LT_OQ), large,
                              small);
}

// phi_cdf8's formula; 1/d by recip16, whose result the same Newton step corrects.
TL_AVX512 inline __m512 phi_cdf16(__m512 x, __m512* gauss) {
  const __m512 one = _mm512_set1_ps(1.f), k = _mm512_set1_ps(kPhiK);
  __m512 a = _mm512_min_ps(_mm512_set1_ps(16.f), _mm512_abs_ps(x));
  __m512 s = _mm512_mul_ps(a, a);
  __m512 s_lo = _mm512_fmsub_ps(a, a, s);
  const __m512 mhalf = _mm512_set1_ps(-0.5f);
  __m512 g = exp16_hilo(_mm512_mul_ps(s, mhalf), _mm512_mul_ps(s_lo, mhalf));
  *gauss = g;
  __m512 d = _mm512_fmadd_ps(a, k, one);
  __m512 e = _mm512_fmadd_ps(a, k, _mm512_sub_ps(one, d));  // d + e = 1 + ka
  __m512 t = _mm512_rcp14_ps(d);
  __m512 r = _mm512_fnmadd_ps(e, t, _mm512_fnmadd_ps(d, t, one));
  t = _mm512_fmadd_ps(t, r, t);
  __m512 tail = _mm512_mul_ps(g, poly16(t, kPhiQ, 10));
  return _mm512_mask_sub_ps(tail, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GT_OQ), one,
                            tail);
}

TL_AVX512 inline __m512 gelu_tanh_v16(__m512 x) {
  const __m512 k = _mm512_set1_ps(2.f * kSqrt2OverPi);
  __m512 s = _mm512_mul_ps(x, x);
  return _mm512_mul_ps(x, _mm512_fmadd_ps(_mm512_mul_ps(k, _mm512_set1_ps(kGeluTanhC)), s, k));
}

template <UnaryOp OP>
TL_AVX512 inline __m512 unary16(__m512 x) {
  switch (OP) {
    case U_EXP: return exp16(x);
    case U_TANH: return tanh16(x);
    case U_SIGMOID: return sigmoid16(x);
    case U_GELU_ERF: { __m512 g; return _mm512_mul_ps(x, phi_cdf16(x, &g)); }
    case U_GELU_TANH: return _mm512_mul_ps(x, sigmoid16(gelu_tanh_v16(x)));
    case U_SILU: return _mm512_mul_ps(x, sigmoid16(x));
    default: return x;
  }
}

template <UnaryOp OP>
TL_AVX512 inline __m512 unary_grad16(__m512 x, __m512 y) {
  const __m512 one = _mm512_set1_ps(1.f);
  switch (OP) {
    case U_EXP: return y;
    case U_TANH: return _mm512_fnmadd_ps(y, y, one);
    case U_SIGMOID: return _mm512_mul_ps(y, _mm512_sub_ps(one, y));
    case U_GELU_ERF: {
      __m512 g;
      __m512 p = phi_cdf16(x, &g);
      return _mm512_fmadd_ps(_mm512_mul_ps(x, _mm512_set1_ps(kInvSqrt2Pi)), g, p);
    }
    case U_GELU_TANH: {
      __m512 s = sigmoid16(gelu_tanh_v16(x));
      __m512 dv = _mm512_fmadd_ps(_mm512_set1_ps(2.f * kSqrt2OverPi * 3.f * kGeluTanhC),
                                  _mm512_mul_ps(x, x), _mm512_set1_ps(2.f * kSqrt2OverPi));
      __m512 ds = _mm512_mul_ps(s, _mm512_sub_ps(one, s));
      return _mm512_fmadd_ps(_mm512_mul_ps(x, ds), dv, s);
    }
    case U_SILU: {
      __m512 s = sigmoid16(x);
      return _mm512_mul_ps(s, _mm512_fmadd_ps(x, _mm512_sub_ps(one, s), one));
    }
    default: return _mm512_setzero_ps();
  }
}

template <UnaryOp OP>
TL_AVX512 void unary_forward_avx512_op(float* out, const float* x, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(out + i, unary16<OP>(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = __mmask16((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(out + i, m, unary16<OP>(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

// Ops whose gradient reads y load it, or recompute it from x when y is null.
template <UnaryOp OP>
TL_AVX512 void unary_backward_avx512_op(float* dx, const float* dy, const float* x,
                                        const float* y, int64_t n) {
  constexpr bool need_y = OP == U_EXP || OP == U_TANH || OP == U_SIGMOID;
  int64_t i = 0;
  // Plain loads in the main loop (masked ones stream from memory at ~0.6 of the speed on
  // CPUs whose prefetchers ignore them), masked ones for the tail.
  for (; i + 16 <= n; i += 16) {
    const __m512 xv = x ? _mm512_loadu_ps(x + i) : _mm512_setzero_ps();
    __m512 yv = _mm512_setzero_ps();
    if (need_y) yv = y ? _mm512_loadu_ps(y + i) : unary16<OP>(xv);
    _mm512_storeu_ps(dx + i, _mm512_mul_ps(_mm512_loadu_ps(dy + i), unary_grad16<OP>(xv, yv)));
  }
  if (i < n) {
    const __mmask16 m = __mmask16((1u << (n - i)) - 1);
    const __m512 xv = x ? _mm512_maskz_loadu_ps(m, x + i) : _mm512_setzero_ps();
    __m512 yv = _mm512_setzero_ps();
    if (need_y) yv = y ? _mm512_maskz_loadu_ps(m, y + i) : unary16<OP>(xv);
    _mm512_mask_storeu_ps(dx + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, dy + i), unary_grad16<OP>(xv, yv)));
  }
}

void unary_forward_avx512(UnaryOp op, float* out, const float* x, int64_t n) {
  switch (op) {
    case U_EXP: return unary_forward_avx512_op<U_EXP>(out, x, n);
    case U_TANH: return unary_forward_avx512_op<U_TANH>(out, x, n);
    case U_SIGMOID: return unary_forward_avx512_op<U_SIGMOID>(out, x, n);
    case U_GELU_ERF: return unary_forward_avx512_op<U_GELU_ERF>(out, x, n);
    case U_GELU_TANH: return unary_forward_avx512_op<U_GELU_TANH>(out, x, n);
    case U_SILU: return unary_forward_avx512_op<U_SILU>(out, x, n);
    default: return;
  }
}

void unary_backward_avx512(UnaryOp op, float* dx, const float* dy, const float* x,
                           const float* y, int64_t n) {
  switch (op) {
    case U_EXP: return unary_backward_avx512_op<U_EXP>(dx, dy, x, y, n);
    case U_TANH: return unary_backward_avx512_op<U_TANH>(dx, dy, x, y, n);
    case U_SIGMOID: return unary_backward_avx512_op<U_SIGMOID>(dx, dy, x, y, n);
    case U_GELU_ERF: return unary_backward_avx512_op<U_GELU_ERF>(dx, dy, x, y, n);
    case U_GELU_TANH: return unary_backward_avx512_op<U_GELU_TANH>(dx, dy, x, y, n);
    case U_SILU: return unary_backward_avx512_op<U_SILU>(dx, dy, x, y, n);
    default: return;
  }
}
#endif  // __x86_64__

// Ops with an AVX2 form (the others call libm in every path).
bool vector_unary(UnaryOp op) { return op != U_LOG && op != U_SIN && op != U_COS; }
bool vector_unary_grad(UnaryOp op) { return op != U_SIN && op != U_COS; }
// Ops with an AVX-512 form, forward and backward.
bool vector512_unary(UnaryOp op) {
  return op == U_EXP || op == U_TANH || op == U_SIGMOID || op == U_GELU_ERF ||
         op == U_GELU_TANH || op == U_SILU;
}

}  // namespace

void unary_forward(UnaryOp op, float* out, const float* x, int64_t n) {
  const bool vec = use_avx2() && vector_unary(op);
  const bool vec512 = use_avx512() && vector512_unary(op);
  parallel_for(n, vec ? kGrain : kSlowGrain, [&](int, int64_t b, int64_t e) {
#if defined(__x86_64__)
    if (vec512) return unary_forward_avx512(op, out + b, x + b, e - b);
    if (vec) return unary_forward_avx2(op, out + b, x + b, e - b);
#endif
    unary_forward_portable(op, out + b, x + b, e - b);
  });
}

void unary_backward(UnaryOp op, float* dx, const float* dy, const float* x, const float* y,
                    int64_t n) {
  const bool vec = use_avx2() && vector_unary_grad(op);
  const bool vec512 = use_avx512() && vector512_unary(op);
  parallel_for(n, vec ? kGrain : kSlowGrain, [&](int, int64_t b, int64_t e) {
    const float* xb = x ? x + b : nullptr;
    const float* yb = y ? y + b : nullptr;
#if defined(__x86_64__)
    if (vec512) return unary_backward_avx512(op, dx + b, dy + b, xb, yb, e - b);
    if (vec) return unary_backward_avx2(op, dx + b, dy + b, xb, yb, e - b);
#endif
    unary_backward_portable(op, dx + b, dy + b, xb, yb, e - b);
  });
}

}  // namespace tl
