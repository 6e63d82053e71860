// Fused AdamW step, following torch.optim.AdamW (single-tensor path, no amsgrad):
// https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html
//   g = grad * grad_scale
//   p = p * (1 - lr * wd)                          (decoupled weight decay, applied first)
//   m = m + (1 - b1) * (g - m)                     (torch's lerp_)
//   v = v * b2 + (1 - b2) * g * g                  (mul_ then addcmul_)
//   p = p - (lr / bc1) * (m / (sqrt(v) / sqrt(bc2) + eps))   (addcdiv_)
// The operations and their order are torch's, so a step matches PyTorch to float rounding.
// The AVX2 path is compiled without FMA (GCC would otherwise fuse its mul + add pairs), so
// it gives results bit-identical to the portable loop.
#include <cmath>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

#if defined(__x86_64__)
#define TL_AVX2_NO_FMA __attribute__((target("avx2")))
#endif

namespace tl {
namespace {

struct Coeffs {
  float decay, one_minus_b1, beta2, one_minus_b2, neg_step, bc2_sqrt, eps, grad_scale;
};

void adamw_portable(float* p, const float* g, float* m, float* v, int64_t n, const Coeffs& k) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i] * k.grad_scale;
    const float pi = p[i] * k.decay;
    const float mi = m[i] + k.one_minus_b1 * (gi - m[i]);
    const float vi = v[i] * k.beta2 + k.one_minus_b2 * gi * gi;
    const float denom = std::sqrt(vi) / k.bc2_sqrt + k.eps;
    p[i] = pi + k.neg_step * (mi / denom);
    m[i] = mi;
    v[i] = vi;
  }
}

#if defined(__x86_64__)
TL_AVX2_NO_FMA void adamw_avx2(float* p, const float* g, float* m, float* v, int64_t n,
                        const Coeffs& k) {
  const __m256 decay = _mm256_set1_ps(k.decay), omb1 = _mm256_set1_ps(k.one_minus_b1);
  const __m256 b2 = _mm256_set1_ps(k.beta2), omb2 = _mm256_set1_ps(k.one_minus_b2);
  const __m256 neg_step = _mm256_set1_ps(k.neg_step), bc2s = _mm256_set1_ps(k.bc2_sqrt);
  const __m256 eps = _mm256_set1_ps(k.eps), gs = _mm256_set1_ps(k.grad_scale);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gi = _mm256_mul_ps(_mm256_loadu_ps(g + i), gs);
    const __m256 pi = _mm256_mul_ps(_mm256_loadu_ps(p + i), decay);
    const __m256 m0 = _mm256_loadu_ps(m + i);
    const __m256 mi = _mm256_add_ps(m0, _mm256_mul_ps(omb1, _mm256_sub_ps(gi, m0)));
    const __m256 vi = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(v + i), b2),
                                    _mm256_mul_ps(_mm256_mul_ps(omb2, gi), gi));
    const __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), bc2s), eps);
    _mm256_storeu_ps(p + i, _mm256_add_ps(pi, _mm256_mul_ps(neg_step, _mm256_div_ps(mi, denom))));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
  }
  adamw_portable(p + i, g + i, m + i, v + i, n - i, k);
}
#endif

}  // namespace

void adamw_step(float* p, const float* g, float* m, float* v, int64_t n, float lr,
                float beta1, float beta2, float eps, float weight_decay, float bc1,
                float bc2, float grad_scale) {
  // Scalar coefficients in double, as Python computes them before torch casts to float.
  const Coeffs k{static_cast<float>(1.0 - double(lr) * weight_decay),
                 static_cast<float>(1.0 - double(beta1)),
                 beta2,
                 static_cast<float>(1.0 - double(beta2)),
                 static_cast<float>(-(double(lr) / bc1)),
                 static_cast<float>(std::sqrt(double(bc2))),
                 eps,
                 grad_scale};
#if defined(__x86_64__)
  const bool avx2 = use_avx2();
#endif
  parallel_for(n, kGrain, [&](int, int64_t b, int64_t e) {
#if defined(__x86_64__)
    if (avx2) return adamw_avx2(p + b, g + b, m + b, v + b, e - b, k);
#endif
    adamw_portable(p + b, g + b, m + b, v + b, e - b, k);
  });
}

}  // namespace tl
