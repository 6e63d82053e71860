// Register-blocked tile products for attention.cpp (contract in attention_tiles.h):
// MR x 16 portable tiles, 6 x 16 AVX2/FMA tiles (12 accumulators + 2 B vectors + 1
// broadcast = 15 of the 16 ymm registers) and 8 x 32 AVX-512 tiles.
#include "attention_tiles.h"

#include <algorithm>

namespace tl::attention_detail {
namespace {

inline float finish(float c, float t, const Epilogue& e, int64_t i) {
  float r = (e.add ? (e.row_scale ? c * e.row_scale[i] : c) : 0.f) + t;
  if (e.post != 1.f) r *= e.post;
  return e.row_post ? r * e.row_post[i] : r;
}

// MR x 16 tile of C in a local array: fixed trip counts and no aliasing let the compiler
// vectorise this at -O2 for whatever the target has (SSE2, NEON).
template <int MR>
void tile_portable(int64_t K, const float* A, int64_t ars, int64_t acs, const float* B,
                   int64_t ldb, float* C, int64_t ldc, const Epilogue& e) {
  float t[MR][16] = {};
  for (int64_t k = 0; k < K; ++k) {
    const float* b = B + k * ldb;
    for (int i = 0; i < MR; ++i) {
      const float x = A[i * ars + k * acs];
      for (int n = 0; n < 16; ++n) t[i][n] += x * b[n];
    }
  }
  for (int i = 0; i < MR; ++i)
    for (int n = 0; n < 16; ++n) C[i * ldc + n] = finish(C[i * ldc + n], t[i][n], e, i);
}

}  // namespace

void matmul_portable(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                     int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                     const Epilogue& e) {
  int64_t n0 = 0;
  for (; n0 + 16 <= N; n0 += 16) {
    int64_t i = 0;
    for (; i + 4 <= M; i += 4)
      tile_portable<4>(K, A + i * ars, ars, acs, B + n0, ldb, C + i * ldc + n0, ldc, rows_from(e, i));
    for (; i < M; ++i)
      tile_portable<1>(K, A + i * ars, ars, acs, B + n0, ldb, C + i * ldc + n0, ldc, rows_from(e, i));
  }
  if (n0 == N) return;
  for (int64_t i = 0; i < M; ++i) {  // the last N % 16 columns
    float t[16] = {};
    for (int64_t k = 0; k < K; ++k) {
      const float x = A[i * ars + k * acs];
      const float* b = B + k * ldb;
      for (int64_t n = n0; n < N; ++n) t[n - n0] += x * b[n];
    }
    for (int64_t n = n0; n < N; ++n) C[i * ldc + n] = finish(C[i * ldc + n], t[n - n0], e, i);
  }
}

#if defined(__x86_64__)
namespace {

// MR x (8 * NV) tile of C kept in registers for the whole K loop.
template <int MR, int NV>
TL_AVX2 void tile_avx2(int64_t K, const float* A, int64_t ars, int64_t acs, const float* B,
                       int64_t ldb, float* C, int64_t ldc, const Epilogue& e) {
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
  const __m256 post = _mm256_set1_ps(e.post);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    const __m256 rs = _mm256_set1_ps(e.row_scale ? e.row_scale[i] : 1.f);
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float* c = C + i * ldc + 8 * v;
      __m256 r = acc[i][v];
      if (e.add) {
        const __m256 old = _mm256_loadu_ps(c);
        r = e.row_scale ? _mm256_fmadd_ps(old, rs, r) : _mm256_add_ps(old, r);
      }
      if (e.post != 1.f) r = _mm256_mul_ps(r, post);
      if (e.row_post) r = _mm256_mul_ps(r, _mm256_set1_ps(e.row_post[i]));
      _mm256_storeu_ps(c, r);
    }
  }
}

template <int NV>
TL_AVX2 void column_panel_avx2(int64_t M, int64_t K, const float* A, int64_t ars, int64_t acs,
                               const float* B, int64_t ldb, float* C, int64_t ldc, const Epilogue& e) {
  constexpr int MR = 6;  // 6 x 2 accumulators + 2 B vectors + 1 broadcast = 15 registers
  int64_t i = 0;
  for (; i + MR <= M; i += MR)
    tile_avx2<MR, NV>(K, A + i * ars, ars, acs, B, ldb, C + i * ldc, ldc, rows_from(e, i));
  const float* a = A + i * ars;
  float* c = C + i * ldc;
  const Epilogue tail = rows_from(e, i);
  switch (M - i) {
    case 5: tile_avx2<5, NV>(K, a, ars, acs, B, ldb, c, ldc, tail); break;
    case 4: tile_avx2<4, NV>(K, a, ars, acs, B, ldb, c, ldc, tail); break;
    case 3: tile_avx2<3, NV>(K, a, ars, acs, B, ldb, c, ldc, tail); break;
    case 2: tile_avx2<2, NV>(K, a, ars, acs, B, ldb, c, ldc, tail); break;
    case 1: tile_avx2<1, NV>(K, a, ars, acs, B, ldb, c, ldc, tail); break;
    default: break;
  }
}

}  // namespace

TL_AVX2 void matmul_avx2(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                         int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                         const Epilogue& e) {
  int64_t n = 0;
  for (; n + 16 <= N; n += 16)
    column_panel_avx2<2>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, e);
  for (; n + 8 <= N; n += 8)
    column_panel_avx2<1>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, e);
  if (n < N) matmul_portable(M, N - n, K, A, ars, acs, B + n, ldb, C + n, ldc, e);
}

// AVX-512 (level 3) only for the products, which hold nearly all the flops: 8 x 32 tiles
// use 16 of the 32 zmm registers; the last N % 16 columns go through masked loads and
// stores, so every element of C is the same chain of FMAs whatever N is (the forward and
// the backward compute the same scores with different N, and must round them alike).

namespace {

// MR x (16 * NV) tile of C; with Masked, `last` masks the columns of the last vector.
template <int MR, int NV, bool Masked>
TL_AVX512 void tile_avx512(int64_t K, const float* A, int64_t ars, int64_t acs,
                           const float* B, int64_t ldb, float* C, int64_t ldc, const Epilogue& e,
                           __mmask16 last) {
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
  const __m512 post = _mm512_set1_ps(e.post);
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    const __m512 rs = _mm512_set1_ps(e.row_scale ? e.row_scale[i] : 1.f);
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) {
      float* c = C + i * ldc + 16 * v;
      const __mmask16 m = !Masked || v + 1 < NV ? __mmask16(0xFFFF) : last;
      __m512 r = acc[i][v];
      if (e.add) {
        const __m512 old = _mm512_maskz_loadu_ps(m, c);
        r = e.row_scale ? _mm512_fmadd_ps(old, rs, r) : _mm512_add_ps(old, r);
      }
      if (e.post != 1.f) r = _mm512_mul_ps(r, post);
      if (e.row_post) r = _mm512_mul_ps(r, _mm512_set1_ps(e.row_post[i]));
      _mm512_mask_storeu_ps(c, m, r);
    }
  }
}

template <int NV, bool Masked>
TL_AVX512 void column_panel_avx512(int64_t M, int64_t K, const float* A, int64_t ars,
                                   int64_t acs, const float* B, int64_t ldb, float* C,
                                   int64_t ldc, const Epilogue& e, __mmask16 last) {
  constexpr int MR = 8;
  int64_t i = 0;
  for (; i + MR <= M; i += MR)
    tile_avx512<MR, NV, Masked>(K, A + i * ars, ars, acs, B, ldb, C + i * ldc, ldc, rows_from(e, i), last);
  const float* a = A + i * ars;
  float* c = C + i * ldc;
  const Epilogue tail = rows_from(e, i);
  switch (M - i) {
    case 7: tile_avx512<7, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, tail, last); break;
    case 6: tile_avx512<6, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, tail, last); break;
    case 5: tile_avx512<5, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, tail, last); break;
    case 4: tile_avx512<4, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, tail, last); break;
    case 3: tile_avx512<3, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, tail, last); break;
    case 2: tile_avx512<2, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, tail, last); break;
    case 1: tile_avx512<1, NV, Masked>(K, a, ars, acs, B, ldb, c, ldc, tail, last); break;
    default: break;
  }
}

}  // namespace

TL_AVX512 void matmul_avx512(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                             int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                             const Epilogue& e) {
  const __mmask16 all = 0xFFFF;
  int64_t n = 0;
  for (; n + 32 <= N; n += 32)
    column_panel_avx512<2, false>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, e, all);
  for (; n + 16 <= N; n += 16)
    column_panel_avx512<1, false>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, e, all);
  if (n < N)
    column_panel_avx512<1, true>(M, K, A, ars, acs, B + n, ldb, C + n, ldc, e,
                                 __mmask16((1u << (N - n)) - 1));
}
#endif  // __x86_64__

}  // namespace tl::attention_detail
