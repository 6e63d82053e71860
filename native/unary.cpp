// Unary element-wise ops and their derivatives.
//
// Each op has a portable scalar form (the reference) and, for the hot ones, an AVX2/FMA
// form picked at run time by use_avx2(). Transcendentals use polynomial approximations
// accurate to a few ulp (see the accuracy sweeps in test/native/kernels_test.cpp); log,
// sin and cos stay on the C library in every path since no training step leans on them.
// AVX-512 is not used yet: the cheap ops run at memory speed with AVX2; GELU (erf form) is
// compute-bound at ~0.5 Gelem/s per core and is the candidate for a 16-lane path.
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

// Standard normal CDF, with *gauss = exp(-x^2/2) for the GELU derivative.
// |x| < sqrt2: 0.5 + x P(x^2). Beyond: the tail Phi(-|x|) = exp(-x^2/2) Q(t),
// t = 1 / (1 + |x|/(2 sqrt2)), which stays accurate relative to its own tiny size. x^2 is
// split into hi + lo with an FMA because exp(-x^2/2) amplifies the rounding of x^2 by x^2.
// Coefficients: least-squares fits refined to near-minimax (relative error ~6e-9).
TL_AVX2 inline __m256 phi_cdf8(__m256 x, __m256* gauss) {
  static const float cs[] = {0.3989422917366028f, -0.06649035960435867f,
                             0.0099733741953969f, -0.0011867822613567114f,
                             0.00011464711133157834f, -8.850170161167625e-06f,
                             4.3387973391872947e-07f};
  static const float ct[] = {-1.8499288216844434e-06f, 0.14109495282173157f,
                             0.14054270088672638f, 0.12622302770614624f,
                             0.07989051192998886f, 0.05086849629878998f,
                             0.01480040606111288f, -0.09411128610372543f,
                             0.04092147573828697f};
  const __m256 one = _mm256_set1_ps(1.f), half = _mm256_set1_ps(0.5f);
  __m256 a = abs8(x);
  __m256 ac = _mm256_min_ps(_mm256_set1_ps(16.f), a);  // exp(-128) is 0 already; inf - inf not
  __m256 s = _mm256_mul_ps(ac, ac);
  __m256 s_lo = _mm256_fmsub_ps(ac, ac, s);
  __m256 g = exp8(_mm256_mul_ps(s, _mm256_set1_ps(-0.5f)));
  g = _mm256_fnmadd_ps(_mm256_mul_ps(g, half), s_lo, g);  // * exp(-s_lo/2)
  *gauss = g;
  __m256 small = _mm256_fmadd_ps(x, poly8(s, cs, 6), half);
  __m256 t = _mm256_div_ps(one, _mm256_fmadd_ps(a, _mm256_set1_ps(0.35355339059327373f), one));
  __m256 tail = _mm256_mul_ps(g, poly8(t, ct, 8));
  __m256 pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
  __m256 big = _mm256_blendv_ps(tail, _mm256_sub_ps(one, tail), pos);
  return _mm256_blendv_ps(big, small, _mm256_cmp_ps(a, _mm256_set1_ps(1.41421356f), _CMP_LT_OQ));
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
#endif  // __x86_64__

// Ops with an AVX2 form (the others call libm in every path).
bool vector_unary(UnaryOp op) { return op != U_LOG && op != U_SIN && op != U_COS; }
bool vector_unary_grad(UnaryOp op) { return op != U_SIN && op != U_COS; }

}  // namespace

void unary_forward(UnaryOp op, float* out, const float* x, int64_t n) {
  const bool vec = use_avx2() && vector_unary(op);
  parallel_for(n, vec ? kGrain : kSlowGrain, [&](int, int64_t b, int64_t e) {
#if defined(__x86_64__)
    if (vec) return unary_forward_avx2(op, out + b, x + b, e - b);
#endif
    unary_forward_portable(op, out + b, x + b, e - b);
  });
}

void unary_backward(UnaryOp op, float* dx, const float* dy, const float* x, const float* y,
                    int64_t n) {
  const bool vec = use_avx2() && vector_unary_grad(op);
  parallel_for(n, vec ? kGrain : kSlowGrain, [&](int, int64_t b, int64_t e) {
    const float* xb = x ? x + b : nullptr;
    const float* yb = y ? y + b : nullptr;
#if defined(__x86_64__)
    if (vec) return unary_backward_avx2(op, dx + b, dy + b, xb, yb, e - b);
#endif
    unary_backward_portable(op, dx + b, dy + b, xb, yb, e - b);
  });
}

}  // namespace tl
