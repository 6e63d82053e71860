// Register-blocked tile products for attention.cpp (contract in attention_tiles.h):
// MR x 16 portable tiles, 6 x 16 AVX2/FMA tiles (12 accumulators + 2 B vectors + 1
// broadcast = 15 of the 16 ymm registers) and 8 x 32 AVX-512 tiles.
#include "attention_tiles.h"

#include <algorithm>

namespace tl::attention_detail {
namespace {

// MR x 16 tile of C in a local array: fixed trip counts and no aliasing let the compiler
// vectorise this at -O2 for whatever the target has (SSE2, NEON).
template <int MR>
void tile_portable(int64_t K, const float* A, int64_t ars, int64_t acs, const float* B,
                   int64_t ldb, float* C, int64_t ldc, bool accumulate) {
  float t[MR][16] = {};
  for (int64_t k = 0; k < K; ++k) {
    const float* b = B + k * ldb;
    for (int i = 0; i < MR; ++i) {
      const float x = A[i * ars + k * acs];
      for (int n = 0; n < 16; ++n) t[i][n] += x * b[n];
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int n = 0; n < 16; ++n) C[i * ldc + n] = (accumulate ? C[i * ldc + n] : 0.f) + t[i][n];
}

}  // namespace

void matmul_portable(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                     int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                     bool accumulate) {
  int64_t n0 = 0;
  for (; n0 + 16 <= N; n0 += 16) {
    int64_t i = 0;
    for (; i + 4 <= M; i += 4)
      tile_portable<4>(K, A + i * ars, ars, acs, B + n0, ldb, C + i * ldc + n0, ldc, accumulate);
    for (; i < M; ++i)
      tile_portable<1>(K, A + i * ars, ars, acs, B + n0, ldb, C + i * ldc + n0, ldc, accumulate);
  }
  if (n0 == N) return;
  for (int64_t i = 0; i < M; ++i) {  // the last N % 16 columns
    float* c = C + i * ldc;
    if (!accumulate) std::fill(c + n0, c + N, 0.f);
    for (int64_t k = 0; k < K; ++k) {
      const float x = A[i * ars + k * acs];
      const float* b = B + k * ldb;
      for (int64_t n = n0; n < N; ++n) c[n] += x * b[n];
    }
  }
}

#if defined(__x86_64__)
namespace {

// MR x (8 * NV) tile of C kept in registers for the whole K loop.
template <int MR, int NV>
TL_AVX2 void tile_avx2(int64_t K, const float* A, int64_t ars, int64_t acs, const float* B,
                       int64_t ldb, float* C, int64_t ldc, bool accumulate) {
  __m256 acc[MR][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    __m256 b[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) b[v] = _mm256_loadu_ps(B + k * ldb + 8 * v);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m256 x = _mm256_broadcast_ss(A + i * ars + k * acs);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_fmadd_ps(x, b[v], acc[i][v]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float* c = C + i * ldc + 8 * v;
      _mm256_storeu_ps(c, accumulate ? _mm256_add_ps(_mm256_loadu_ps(c), acc[i][v]) : acc[i][v]);
    }
}

template <int NV>
TL_AVX2 void column_panel_avx2(int64_t M, int64_t K, const float* A, int64_t ars, int64_t acs,
                               const float* B, int64_t ldb, float* C, int64_t ldc, bool acc) {
  constexpr int MR = 6;  // 6 x 2 accumulators + 2 B vectors + 1 broadcast = 15 registers
  int64_t i = 0;
  for (; i + MR <= M; i += MR)
    tile_avx2<MR, NV>(K, A + i * ars, ars, acs, B, ldb, C + i * ldc, ldc, acc);
  const float* a = A + i * ars;
  float* c = C + i * ldc;
  switch (M - i) {
    case 5: tile_avx2<5, NV>(K, a, ars, acs, B, ldb, c, ldc, acc); break;
    case 4: tile_avx2<4, NV>(K, a, ars, acs, B, ldb, c, ldc, acc); break;
    case 3: tile_avx2<3, NV>(K, a, ars, acs, B, ldb, c, ldc, acc); break;
    case 2: tile_avx2<2, NV>(K, a, ars, acs, B, ldb, c, ldc, acc); break;
    case 1: tile_avx2<1, NV>(K, a, ars, acs, B, ldb, c, ldc, acc); break;
    default: break;
  }
}

}  // namespace

TL_AVX2 void matmul_avx2(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                         int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                         bool accumulate) {
  int64_t n = 0;
  for (; n + 16 <= N; n += 16)
    column_panel_avx2<2>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, accumulate);
  for (; n + 8 <= N; n += 8)
    column_panel_avx2<1>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, accumulate);
  if (n < N) matmul_portable(M, N - n, K, A, ars, acs, B + n, ldb, C + n, ldc, accumulate);
}

// AVX-512 (level 3) only for the products, which hold nearly all the flops: 8 x 32 tiles
// use 16 of the 32 zmm registers; the last N % 16 columns go through masked loads and
// stores, so every element of C is the same chain of FMAs whatever N is (the forward and
// the backward compute the same scores with different N, and must round them alike).

namespace {

// MR x (16 * NV) tile of C; with Masked, `last` masks the columns of the last vector.
template <int MR, int NV, bool Masked>
TL_AVX512 void tile_avx512(int64_t K, const float* A, int64_t ars, int64_t acs,
                           const float* B, int64_t ldb, float* C, int64_t ldc, bool accumulate,
                           __mmask16 last) {
  if (!Masked) last = 0xFFFF;
  __m512 acc[MR][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  for (int64_t k = 0; k < K; ++k) {
    __m512 b[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v)
      b[v] = !Masked || v + 1 < NV ? _mm512_loadu_ps(B + k * ldb + 16 * v)
                                   : _mm512_maskz_loadu_ps(last, B + k * ldb + 16 * v);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const __m512 x = _mm512_set1_ps(A[i * ars + k * acs]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(x, b[v], acc[i][v]);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float* c = C + i * ldc + 16 * v;
      if (!Masked || v + 1 < NV) {
        _mm512_storeu_ps(c, accumulate ? _mm512_add_ps(_mm512_loadu_ps(c), acc[i][v]) : acc[i][v]);
      } else {
        _mm512_mask_storeu_ps(c, last, accumulate ? _mm512_add_ps(_mm512_maskz_loadu_ps(last, c), acc[i][v])
                                                  : acc[i][v]);
      }
    }
}

template <int NV, bool Masked>
TL_AVX512 void column_panel_avx512(int64_t M, int64_t K, const float* A, int64_t ars,
                                   int64_t acs, const float* B, int64_t ldb, float* C,
                                   int64_t ldc, bool acc, __mmask16 last) {
  constexpr int MR = 8;
  int64_t i = 0;
  for (; i + MR <= M; i += MR)
    tile_avx512<MR, NV, Masked>(K, A + i * ars, ars, acs, B, ldb, C + i * ldc, ldc, acc, last);
  const float* a = A + i * ars;
  float* c = C + i * ldc;
  switch (M - i) {
    case 7: tile_avx512<7, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, acc, last); break;
    case 6: tile_avx512<6, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, acc, last); break;
    case 5: tile_avx512<5, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, acc, last); break;
    case 4: tile_avx512<4, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, acc, last); break;
    case 3: tile_avx512<3, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, acc, last); break;
    case 2: tile_avx512<2, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, acc, last); break;
    case 1: tile_avx512<1, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, acc, last); break;
    default: break;
  }
}

}  // namespace

TL_AVX512 void matmul_avx512(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                             int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                             bool accumulate) {
  const __mmask16 all = 0xFFFF;
  int64_t n = 0;
  for (; n + 32 <= N; n += 32)
    column_panel_avx512<2, false>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, accumulate, all);
  for (; n + 16 <= N; n += 16)
    column_panel_avx512<1, false>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, accumulate, all);
  if (n < N)
    column_panel_avx512<1, true>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, accumulate,
                                 __mmask16((1u << (N - n)) - 1));
}
#endif  // __x86_64__

}  // namespace tl::attention_detail
