// Rotary position embedding in Hugging Face's rotate_half layout: within each head vector
// the pair (x[i], x[i + D/2]) is rotated by the angle of frequency i at the token's
// position:  out[i] = x[i] cos - x[i+D/2] sin,  out[i+D/2] = x[i+D/2] cos + x[i] sin.
// The inverse rotation (sin -> -sin) is the transpose, hence the backward pass.
// Each pair is read completely before either half is written, so out may alias x.
#include <algorithm>

#include "kernels.h"
#include "simd.h"
#include "thread_pool.h"

namespace tl {
namespace {

// Pairs [begin, half) of one head vector: out/x (2 * half), cos/sin (half) table rows;
// sign = -1 rotates backwards.
void rotate_portable(float* out, const float* x, const float* cos, const float* sin,
                     int64_t begin, int64_t half, float sign) {
  for (int64_t i = begin; i < half; ++i) {
    const float x1 = x[i], x2 = x[i + half], c = cos[i], s = sign * sin[i];
    out[i] = x1 * c - x2 * s;
    out[i + half] = x2 * c + x1 * s;
  }
}

#if defined(__x86_64__)
TL_AVX2 void rotate_avx2(float* out, const float* x, const float* cos, const float* sin,
                         int64_t half, float sign) {
  const __m256 vsign = _mm256_set1_ps(sign);
  int64_t i = 0;
  for (; i + 8 <= half; i += 8) {
    const __m256 x1 = _mm256_loadu_ps(x + i), x2 = _mm256_loadu_ps(x + i + half);
    const __m256 c = _mm256_loadu_ps(cos + i);
    const __m256 s = _mm256_mul_ps(vsign, _mm256_loadu_ps(sin + i));
    _mm256_storeu_ps(out + i, _mm256_fnmadd_ps(x2, s, _mm256_mul_ps(x1, c)));
    _mm256_storeu_ps(out + i + half, _mm256_fmadd_ps(x1, s, _mm256_mul_ps(x2, c)));
  }
  rotate_portable(out, x, cos, sin, i, half, sign);
}
#endif

}  // namespace

void rope_forward(float* out, const float* x, const float* cos, const float* sin,
                  const int32_t* pos, int64_t B, int64_t H, int64_t T, int64_t D,
                  bool inverse) {
  const int64_t half = D / 2;
  const float sign = inverse ? -1.f : 1.f;
#if defined(__x86_64__)
  const bool avx2 = use_avx2();
#endif
  // Rows are (b, h, t) head vectors; ~16 KiB of reads per grain keeps dispatch cheap.
  parallel_for(B * H * T, row_grain(D, 4096), [&](int, int64_t begin, int64_t end) {
    for (int64_t row = begin; row < end; ++row) {
      const int64_t b = row / (H * T), t = row % T;
      const int64_t p = pos[b * T + t];
      const float* c = cos + p * half;  // (D/2) row of the (P, D/2) tables
      const float* s = sin + p * half;
#if defined(__x86_64__)
      if (avx2) {
        rotate_avx2(out + row * D, x + row * D, c, s, half, sign);
        continue;
      }
#endif
      rotate_portable(out + row * D, x + row * D, c, s, 0, half, sign);
    }
  });
}

}  // namespace tl
