// AVX-512 GEMM micro-kernel: 14 x 32 register tile.
//
// Why 14 x 32: 28 accumulators + 2 B vectors + 1 broadcast = 31 of the 32 zmm registers.
// Each k step issues 2 B loads and 14 broadcast loads for 28 FMAs, so the two FMA ports
// stay busy with load ports to spare (folding the broadcasts into the FMAs as {1to16}
// operands loads each A value twice and measured 10% slower on Zen 5).
// Transposing packs (f32, contiguous along k) use 16 x 16 blocks with masked stores; the
// rest reuses the AVX2 routines.
#if defined(__x86_64__)
// GCC 12's AVX-512 intrinsics build "undefined" vectors as `__m512 __Y = __Y;`, which
// -Wall reports as maybe-uninitialized once inlined here: a header false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>

#include "gemm_kernels.h"

namespace tl::gemm_detail {
namespace {

constexpr int kMR = 14;
constexpr int kNR = 32;

inline __attribute__((target("avx512f"))) __mmask16 lanes_mask(int n) {
  return n >= 16 ? __mmask16(0xFFFF) : n <= 0 ? __mmask16(0) : __mmask16((1u << n) - 1);
}

// How a tile reads a (see Tile and KernelSet::rows_a): kStrided through (rs_a, cs_a) (the
// driver passes unpacked A only for full 14-row tiles, so no row is read out of bounds);
// kPanel a packed (kc, 14) panel; kRows 14 rows at the fixed stride kRowLd, so every row is
// a constant offset from one pointer and a row-major A is copied, not transposed.
enum AForm { kStrided, kPanel, kRows };
constexpr int64_t kRowLd = 264;  // KC + 8: rows 1056 B apart, spread over the L1 sets

// kDirectB: b rows are the caller's B, read with masked loads (n may be < 32); else a
// packed zero-padded panel. R: the rows computed, t.m <= R <= 14 (see tile_14x32).
template <AForm kA, bool kDirectB, int R>
__attribute__((target("avx512f"))) void tile_rows(const Tile& t) {
  const __mmask16 mask0 = lanes_mask(t.n), mask1 = lanes_mask(t.n - 16);
  const bool full_n = t.n >= 32;
  float* c = t.c;
  for (int i = 0; i < t.m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * t.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * t.ldc + 31), _MM_HINT_T0);
  }

  __m512 acc0[R], acc1[R];  // row i of the tile: columns 0..15 and 16..31
#pragma GCC unroll 14
  for (int i = 0; i < R; ++i) acc0[i] = acc1[i] = _mm512_setzero_ps();

  const float* a = t.a;
  const float* b = t.b;  // (kc, 32) rows at stride rs_b
  const int64_t rs_a = t.rs_a, cs_a = t.cs_a, rs_b = t.rs_b;
  for (int64_t k = 0; k < t.kc; ++k) {
    __m512 b0, b1;
    if (kDirectB) {
      // Rows of the caller's B are ldb apart, too far for the hardware prefetchers.
      _mm_prefetch(reinterpret_cast<const char*>(b + 24 * rs_b), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(b + 24 * rs_b + 31), _MM_HINT_T0);
      // Plain loads for a full tile: this CPU's prefetchers do not follow masked loads
      // (a stream from memory runs at ~0.6 of the speed).
      b0 = full_n ? _mm512_loadu_ps(b) : _mm512_maskz_loadu_ps(mask0, b);
      b1 = full_n ? _mm512_loadu_ps(b + 16) : _mm512_maskz_loadu_ps(mask1, b + 16);
    } else {
      b0 = _mm512_loadu_ps(b);
      b1 = _mm512_loadu_ps(b + 16);
    }
#pragma GCC unroll 14
    for (int i = 0; i < R; ++i) {
      const __m512 ai =
          _mm512_set1_ps(kA == kPanel ? a[i] : kA == kRows ? a[i * kRowLd] : a[i * rs_a]);
      acc0[i] = _mm512_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(ai, b1, acc1[i]);
    }
    a += kA == kPanel ? kMR : kA == kRows ? 1 : cs_a;
    b += rs_b;
  }

  // c = alpha * acc + beta * c; the same two roundings for every tile, edge or not.
  const __m512 alpha = _mm512_set1_ps(t.alpha), beta = _mm512_set1_ps(t.beta);
  const bool read_c = t.beta != 0.f;
#pragma GCC unroll 14
  for (int i = 0; i < R; ++i) {
    if (i >= t.m) break;
    float* ci = c + i * t.ldc;
    __m512 r0 = _mm512_mul_ps(alpha, acc0[i]), r1 = _mm512_mul_ps(alpha, acc1[i]);
    if (read_c) {
      r0 = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(mask0, ci), r0);
      r1 = _mm512_fmadd_ps(beta, _mm512_maskz_loadu_ps(mask1, ci + 16), r1);
    }
    if (t.bias) {
      r0 = _mm512_add_ps(r0, _mm512_maskz_loadu_ps(mask0, t.bias));
      r1 = _mm512_add_ps(r1, _mm512_maskz_loadu_ps(mask1, t.bias + 16));
    }
    _mm512_mask_storeu_ps(ci, mask0, r0);
    _mm512_mask_storeu_ps(ci + 16, mask1, r1);
  }
}

// The 14 x 32 tile. An edge tile of m < 14 rows runs a kernel of that height (rounded up
// to even; a packed panel's padding rows are zeros) instead of paying for 14: 64 rows are
// 4 x 14 + 8, and a whole 14-row tile for the last 8 would cost 9% of the product. Each
// row's sums are the same FMAs in the same order at any height.
template <AForm kA, bool kDirectB>
__attribute__((target("avx512f"))) void tile_14x32(const Tile& t) {
  if constexpr (kA == kStrided) {
    tile_rows<kA, kDirectB, kMR>(t);  // the driver reads A in place for full tiles only
  } else {
    switch ((t.m + 1) / 2) {
      case 1: return tile_rows<kA, kDirectB, 2>(t);
      case 2: return tile_rows<kA, kDirectB, 4>(t);
      case 3: return tile_rows<kA, kDirectB, 6>(t);
      case 4: return tile_rows<kA, kDirectB, 8>(t);
      case 5: return tile_rows<kA, kDirectB, 10>(t);
      case 6: return tile_rows<kA, kDirectB, 12>(t);
      default: return tile_rows<kA, kDirectB, kMR>(t);
    }
  }
}

// Sum of the 16 lanes in a fixed order (halves, then quarters, pairs, lanes).
__attribute__((target("avx512f"))) inline float lane_sum(__m512 v) {
  const __m512 hi = _mm512_shuffle_f32x4(v, v, 0xEE);  // lanes 8..15 moved down
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_castps512_ps256(hi));
  __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  q = _mm_add_ps(q, _mm_movehl_ps(q, q));
  q = _mm_add_ss(q, _mm_movehdup_ps(q));
  return _mm_cvtss_f32(q);
}

// See kDotTile in gemm_kernels.h. Rows beyond m (n) re-read the last valid row, so no
// address leaves the operands; their sums are dropped.
// One row of a against up to kDotTile rows of b (a matrix-vector product: one token in
// generation): four dot products per pass over k instead of the 4x4 tile's sixteen, with
// two k steps in flight per column so the loads of b keep streaming from memory.
__attribute__((target("avx512f"))) void dot_1x4(const Tile& t) {
  constexpr int R = kDotTile;
  const float* b[R];
  for (int j = 0; j < R; ++j) b[j] = t.b + std::min(j, t.n - 1) * t.rs_b;
  __m512 acc[R][2];
  for (int j = 0; j < R; ++j) acc[j][0] = acc[j][1] = _mm512_setzero_ps();
  int64_t k = 0;
  for (; k + 32 <= t.kc; k += 32) {
    const __m512 a0 = _mm512_loadu_ps(t.a + k), a1 = _mm512_loadu_ps(t.a + k + 16);
#pragma GCC unroll 4
    for (int j = 0; j < R; ++j) {
      acc[j][0] = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b[j] + k), acc[j][0]);
      acc[j][1] = _mm512_fmadd_ps(a1, _mm512_loadu_ps(b[j] + k + 16), acc[j][1]);
    }
  }
  for (; k < t.kc; k += 16) {
    const __mmask16 mask = lanes_mask(int(std::min<int64_t>(16, t.kc - k)));
    const __m512 av = _mm512_maskz_loadu_ps(mask, t.a + k);
#pragma GCC unroll 4
    for (int j = 0; j < R; ++j) acc[j][0] = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(mask, b[j] + k), acc[j][0]);
  }
  for (int j = 0; j < t.n; ++j) {
    float& c = t.c[j];
    const float r = t.alpha * lane_sum(_mm512_add_ps(acc[j][0], acc[j][1]));
    c = t.beta != 0.f ? t.beta * c + r : r;
  }
}

// One k step of the 4x4 dot tile: 16 values of each row of a and b.
template <bool Full>
__attribute__((target("avx512f"))) inline void dot_step(const float* const* a, const float* const* b, int64_t k,
                                                        __mmask16 mask, __m512 (&acc)[kDotTile][kDotTile]) {
  constexpr int R = kDotTile;
  __m512 av[R];
#pragma GCC unroll 4
  for (int i = 0; i < R; ++i) av[i] = Full ? _mm512_loadu_ps(a[i] + k) : _mm512_maskz_loadu_ps(mask, a[i] + k);
#pragma GCC unroll 4
  for (int j = 0; j < R; ++j) {
    const __m512 bv = Full ? _mm512_loadu_ps(b[j] + k) : _mm512_maskz_loadu_ps(mask, b[j] + k);
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i) acc[i][j] = _mm512_fmadd_ps(av[i], bv, acc[i][j]);
  }
}

__attribute__((target("avx512f"))) void dot_4x4(const Tile& t) {
  if (t.m == 1) return dot_1x4(t);
  constexpr int R = kDotTile;
  const float* a[R];  // (m, kc) rows
  const float* b[R];  // (n, kc) rows
  for (int i = 0; i < R; ++i) {
    a[i] = t.a + std::min(i, t.m - 1) * t.rs_a;
    b[i] = t.b + std::min(i, t.n - 1) * t.rs_b;
  }
  __m512 acc[R][R];
#pragma GCC unroll 4
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < R; ++j) acc[i][j] = _mm512_setzero_ps();
  // Full vectors with plain loads, the tail with masked ones.
  int64_t k = 0;
  for (; k + 16 <= t.kc; k += 16) dot_step<true>(a, b, k, 0xFFFF, acc);
  if (k < t.kc) dot_step<false>(a, b, k, lanes_mask(int(t.kc - k)), acc);
  for (int i = 0; i < t.m; ++i)
    for (int j = 0; j < t.n; ++j) {
      float& c = t.c[i * t.ldc + j];
      const float r = t.alpha * lane_sum(acc[i][j]);
      c = t.beta != 0.f ? t.beta * c + r : r;
    }
}

__attribute__((target("avx512f"))) inline __m512 unpacklo64(__m512 x, __m512 y) {
  return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(x), _mm512_castps_pd(y)));
}
__attribute__((target("avx512f"))) inline __m512 unpackhi64(__m512 x, __m512 y) {
  return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(x), _mm512_castps_pd(y)));
}

// r[i] = row i (16 values along k) -> r[k] = the 16 rows' values at k. 32-bit then 64-bit
// interleaves inside 128-bit lanes leave u[4g + j] = rows 4g..4g+3 at columns j, j+4, j+8,
// j+12 (one per lane); two rounds of 128-bit lane shuffles gather each column.
__attribute__((target("avx512f"))) inline void transpose16x16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int g = 0; g < 4; ++g) {
    const __m512 a = r[4 * g], b = r[4 * g + 1], c = r[4 * g + 2], d = r[4 * g + 3];
    t[4 * g] = _mm512_unpacklo_ps(a, b), t[4 * g + 1] = _mm512_unpackhi_ps(a, b);
    t[4 * g + 2] = _mm512_unpacklo_ps(c, d), t[4 * g + 3] = _mm512_unpackhi_ps(c, d);
    u[4 * g] = unpacklo64(t[4 * g], t[4 * g + 2]), u[4 * g + 1] = unpackhi64(t[4 * g], t[4 * g + 2]);
    u[4 * g + 2] = unpacklo64(t[4 * g + 1], t[4 * g + 3]);
    u[4 * g + 3] = unpackhi64(t[4 * g + 1], t[4 * g + 3]);
  }
  for (int j = 0; j < 4; ++j) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88);
    const __m512 v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xDD);
    const __m512 v2 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);
    const __m512 v3 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xDD);
    r[j] = _mm512_shuffle_f32x4(v0, v2, 0x88);
    r[j + 8] = _mm512_shuffle_f32x4(v0, v2, 0xDD);
    r[j + 4] = _mm512_shuffle_f32x4(v1, v3, 0x88);
    r[j + 12] = _mm512_shuffle_f32x4(v1, v3, 0xDD);
  }
}

// How far ahead along k (floats) the transposing pack prefetches each source row.
constexpr int64_t kPackAhead = 64;

// f32 sources contiguous along k (a row-major A, a B stored (N, K)): 16 x 16 blocks, masked
// loads only for the k tail and masked stores for the panel width, so the 14-wide A panel
// and the k tail need no scalar loop. Everything else: the AVX2 routines.
// A 32-wide panel is packed as two 16-row halves, each along the whole of k: 16 rows read a
// line at a time are as many streams as the prefetchers follow, 32 are not (a weight read
// cold from memory packed at 12 GB/s across 32 rows, 42 GB/s by 16-row halves).
__attribute__((target("avx512f"))) void pack_avx512(float* dst, int W, const void* src,
                                                    DType dtype, int64_t ks, int64_t ws,
                                                    int64_t kc, int w) {
  if (dtype != F32 || ks != 1 || w <= 1) return pack_avx2(dst, W, src, dtype, ks, ws, kc, w);
  const float* s = static_cast<const float*>(src);
  for (int i0 = 0; i0 < W; i0 += 16) {
    const int rows = std::clamp(w - i0, 0, 16);
    const __mmask16 smask = lanes_mask(W - i0);
    for (int64_t k0 = 0; k0 < kc; k0 += 16) {
      const int kn = int(std::min<int64_t>(16, kc - k0));
      const __mmask16 kmask = lanes_mask(kn);
      __m512 r[16];
      if (k0 + kPackAhead < kc)
        for (int i = 0; i < rows; ++i)
          _mm_prefetch(reinterpret_cast<const char*>(s + (i0 + i) * ws + k0 + kPackAhead), _MM_HINT_T0);
      for (int i = 0; i < 16; ++i)  // plain loads where the row is whole (see tile_14x32)
        r[i] = i >= rows ? _mm512_setzero_ps()
               : kn == 16 ? _mm512_loadu_ps(s + (i0 + i) * ws + k0)
                          : _mm512_maskz_loadu_ps(kmask, s + (i0 + i) * ws + k0);
      transpose16x16(r);
      for (int k = 0; k < kn; ++k) _mm512_mask_storeu_ps(dst + (k0 + k) * W + i0, smask, r[k]);
    }
  }
}

}  // namespace

const KernelSet& avx512_kernels() {
  // KC: the A panel (14 x 256 x 4 B = 14 KiB) stays in L1 across a sweep of the B block.
  // NC: the packed B block (256 x 1024 x 4 B = 1 MiB) stays in a 2 MiB L2.
  static const KernelSet set{kMR,
                             kNR,
                             256,
                             1024,
                             tile_14x32<kPanel, false>,
                             tile_14x32<kStrided, false>,
                             tile_14x32<kPanel, true>,
                             dot_4x4,
                             pack_avx512,
                             tile_14x32<kRows, false>,
                             kRowLd,
                             // 64 rows (5 panels) against a weight read from memory gained
                             // 6-27%, 112 (8 panels) lost 2%
                             6 * kMR};
  return set;
}

}  // namespace tl::gemm_detail
#endif  // __x86_64__
