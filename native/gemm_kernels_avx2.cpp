// AVX2/FMA GEMM micro-kernel (6 x 16 register tile) and the SIMD packing routines.
//
// Why 6 x 16: 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
// Packing is shared with the AVX-512 kernel set: it is bound by memory, not by width.
#if defined(__x86_64__)
#include <immintrin.h>

#include <algorithm>

#include "gemm_kernels.h"
#include "simd.h"

namespace tl::gemm_detail {
namespace {

constexpr int kMR = 6;
constexpr int kNR = 16;

// Lane masks for vmaskmov: lanes [0, n) set, n clamped to [0, 8].
TL_AVX2 inline __m256i lanes_mask(int n) {
  alignas(32) static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                                0,  0,  0,  0,  0,  0,  0,  0};
  n = std::clamp(n, 0, 8);
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(table + 8 - n));
}

// kPackedA: a is a packed (kc, 6) panel, else read through (rs_a, cs_a) (full tiles only);
// kDirectB: as in tile_14x32 (gemm_kernels_avx512.cpp).
template <bool kPackedA, bool kDirectB>
TL_AVX2 void tile_6x16(const Tile& t) {
  const __m256i mask0 = lanes_mask(t.n), mask1 = lanes_mask(t.n - 8);
  const bool full_n = t.n >= 16;
  float* c = t.c;
  for (int i = 0; i < t.m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * t.ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * t.ldc + 15), _MM_HINT_T0);
  }

  __m256 acc0[kMR], acc1[kMR];  // row i of the tile: columns 0..7 and 8..15
#pragma GCC unroll 6
  for (int i = 0; i < kMR; ++i) acc0[i] = acc1[i] = _mm256_setzero_ps();

  const float* a = t.a;  // (6, kc) through (rs_a, cs_a), or a packed (kc, 6) panel
  const float* b = t.b;  // (kc, 16) rows at stride rs_b
  const int64_t rs_a = t.rs_a, cs_a = t.cs_a, rs_b = t.rs_b;
  for (int64_t k = 0; k < t.kc; ++k) {
    __m256 b0, b1;
    if (kDirectB) {
      // Rows of the caller's B are ldb apart, too far for the hardware prefetchers.
      _mm_prefetch(reinterpret_cast<const char*>(b + 24 * rs_b), _MM_HINT_T0);
      // Plain loads for a full tile (masked loads are slow and, on some CPUs, not followed
      // by the prefetchers: see the AVX-512 tile).
      b0 = full_n ? _mm256_loadu_ps(b) : _mm256_maskload_ps(b, mask0);
      b1 = full_n ? _mm256_loadu_ps(b + 8) : _mm256_maskload_ps(b + 8, mask1);
    } else {
      b0 = _mm256_loadu_ps(b);
      b1 = _mm256_loadu_ps(b + 8);
    }
#pragma GCC unroll 6
    for (int i = 0; i < kMR; ++i) {
      const __m256 ai = _mm256_broadcast_ss(kPackedA ? a + i : a + i * rs_a);
      acc0[i] = _mm256_fmadd_ps(ai, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(ai, b1, acc1[i]);
    }
    a += kPackedA ? kMR : cs_a;
    b += rs_b;
  }

  // c = alpha * acc + beta * c; the same two roundings for every tile, edge or not.
  const __m256 alpha = _mm256_set1_ps(t.alpha), beta = _mm256_set1_ps(t.beta);
  const bool read_c = t.beta != 0.f, full = t.n == kNR;
#pragma GCC unroll 6
  for (int i = 0; i < kMR; ++i) {
    if (i >= t.m) break;
    float* ci = c + i * t.ldc;
    __m256 r0 = _mm256_mul_ps(alpha, acc0[i]), r1 = _mm256_mul_ps(alpha, acc1[i]);
    if (full) {
      if (read_c) {
        r0 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(ci), r0);
        r1 = _mm256_fmadd_ps(beta, _mm256_loadu_ps(ci + 8), r1);
      }
      if (t.bias) {
        r0 = _mm256_add_ps(r0, _mm256_loadu_ps(t.bias));
        r1 = _mm256_add_ps(r1, _mm256_loadu_ps(t.bias + 8));
      }
      _mm256_storeu_ps(ci, r0);
      _mm256_storeu_ps(ci + 8, r1);
    } else {
      if (read_c) {
        r0 = _mm256_fmadd_ps(beta, _mm256_maskload_ps(ci, mask0), r0);
        r1 = _mm256_fmadd_ps(beta, _mm256_maskload_ps(ci + 8, mask1), r1);
      }
      if (t.bias) {
        r0 = _mm256_add_ps(r0, _mm256_maskload_ps(t.bias, mask0));
        r1 = _mm256_add_ps(r1, _mm256_maskload_ps(t.bias + 8, mask1));
      }
      _mm256_maskstore_ps(ci, mask0, r0);
      _mm256_maskstore_ps(ci + 8, mask1, r1);
    }
  }
}

// See kDotTile in gemm_kernels.h. Rows beyond m (n) re-read the last valid row, so no
// address leaves the operands; their sums are dropped.
TL_AVX2 void dot_4x4(const Tile& t) {
  constexpr int R = kDotTile;
  const float* a[R];  // (m, kc) rows
  const float* b[R];  // (n, kc) rows
  for (int i = 0; i < R; ++i) {
    a[i] = t.a + std::min(i, t.m - 1) * t.rs_a;
    b[i] = t.b + std::min(i, t.n - 1) * t.rs_b;
  }
  __m256 acc[R][R];
#pragma GCC unroll 4
  for (int i = 0; i < R; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < R; ++j) acc[i][j] = _mm256_setzero_ps();
  for (int64_t k = 0; k < t.kc; k += 8) {
    const int left = int(std::min<int64_t>(8, t.kc - k));
    const __m256i mask = lanes_mask(left);
    __m256 av[R];
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i)
      av[i] = left == 8 ? _mm256_loadu_ps(a[i] + k) : _mm256_maskload_ps(a[i] + k, mask);
#pragma GCC unroll 4
    for (int j = 0; j < R; ++j) {
      const __m256 bv = left == 8 ? _mm256_loadu_ps(b[j] + k) : _mm256_maskload_ps(b[j] + k, mask);
#pragma GCC unroll 4
      for (int i = 0; i < R; ++i) acc[i][j] = _mm256_fmadd_ps(av[i], bv, acc[i][j]);
    }
  }
  for (int i = 0; i < t.m; ++i)
    for (int j = 0; j < t.n; ++j) {
      // Lane sum in a fixed order: (hi + lo) halves, then pairs.
      __m128 v = _mm_add_ps(_mm256_castps256_ps128(acc[i][j]), _mm256_extractf128_ps(acc[i][j], 1));
      v = _mm_add_ps(v, _mm_movehl_ps(v, v));
      v = _mm_add_ss(v, _mm_movehdup_ps(v));
      float& c = t.c[i * t.ldc + j];
      const float r = t.alpha * _mm_cvtss_f32(v);
      c = t.beta != 0.f ? t.beta * c + r : r;
    }
}

// ---- packing ---------------------------------------------------------------------------

// Element loaders for the two source types; `n` < 8 loads only lanes [0, n), zero the rest.
struct F32Src {
  using T = float;
  TL_AVX2 static __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
  TL_AVX2 static __m256 load_n(const float* p, int n) {
    return _mm256_maskload_ps(p, lanes_mask(n));
  }
  static float scalar(const float* p) { return *p; }
};
struct Bf16Src {
  using T = uint16_t;
  TL_AVX2 static __m256 load8(const uint16_t* p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  TL_AVX2 static __m256 load_n(const uint16_t* p, int n) {
    alignas(16) uint16_t tmp[8] = {};
    for (int i = 0; i < n; ++i) tmp[i] = p[i];
    return load8(tmp);
  }
  static float scalar(const uint16_t* p) { return bf16_to_f32(*p); }
};

TL_AVX2 inline void store_lanes(float* p, __m256 v, int lanes) {
  if (lanes >= 8) _mm256_storeu_ps(p, v);
  else _mm256_maskstore_ps(p, lanes_mask(lanes), v);
}

// r[i] = row i (8 values along k) -> r[k] = the 8 rows' values at k.
TL_AVX2 inline void transpose8x8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  r[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  r[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  r[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  r[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  r[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  r[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  r[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// Source contiguous along k (ks == 1): a row-major A, or a B stored (N, K). Transposes
// 8 x 8 blocks; the k tail (< 8) and the zero padding beyond w go through scalars.
template <class Src>
TL_AVX2 void pack_transpose(float* dst /* (kc, W) */, int W, const typename Src::T* src,
                            int64_t ws, int64_t kc, int w) {
  int64_t k0 = 0;
  for (; k0 + 8 <= kc; k0 += 8) {
    for (int i0 = 0; i0 < W; i0 += 8) {
      const int rows = std::clamp(w - i0, 0, 8), lanes = std::min(8, W - i0);
      __m256 r[8];
      for (int i = 0; i < 8; ++i)
        r[i] = i < rows ? Src::load8(src + (i0 + i) * ws + k0) : _mm256_setzero_ps();
      transpose8x8(r);
      for (int k = 0; k < 8; ++k) store_lanes(dst + (k0 + k) * W + i0, r[k], lanes);
    }
  }
  for (; k0 < kc; ++k0)
    for (int i = 0; i < W; ++i) dst[k0 * W + i] = i < w ? Src::scalar(src + i * ws + k0) : 0.f;
}

// Source contiguous along the panel width (ws == 1): a transposed A, or a B stored (K, N).
template <class Src>
TL_AVX2 void pack_copy(float* dst /* (kc, W) */, int W, const typename Src::T* src,
                       int64_t ks, int64_t kc, int w) {
  for (int64_t k = 0; k < kc; ++k) {
    const typename Src::T* row = src + k * ks;
    float* out = dst + k * W;
    // Rows are usually a page or more apart, which hardware prefetchers do not follow:
    // fetch a few rows ahead ourselves (prefetches past the end are harmless).
    _mm_prefetch(reinterpret_cast<const char*>(row + 8 * ks), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(row + 8 * ks + W - 1), _MM_HINT_T0);
    for (int i0 = 0; i0 < W; i0 += 8) {
      const int n = std::clamp(w - i0, 0, 8);
      const __m256 v = n == 8 ? Src::load8(row + i0)
                       : n > 0 ? Src::load_n(row + i0, n)
                               : _mm256_setzero_ps();
      store_lanes(out + i0, v, W - i0);
    }
  }
}

}  // namespace

void pack_avx2(float* dst, int W, const void* src, DType dtype, int64_t ks, int64_t ws,
               int64_t kc, int w) {
  const bool bf16 = dtype == BF16;
  if (ks == 1 && w > 1) {
    if (bf16) pack_transpose<Bf16Src>(dst, W, static_cast<const uint16_t*>(src), ws, kc, w);
    else pack_transpose<F32Src>(dst, W, static_cast<const float*>(src), ws, kc, w);
  } else if (ws == 1 || w == 1) {
    if (bf16) pack_copy<Bf16Src>(dst, W, static_cast<const uint16_t*>(src), ks, kc, w);
    else pack_copy<F32Src>(dst, W, static_cast<const float*>(src), ks, kc, w);
  } else {
    pack_portable(dst, W, src, dtype, ks, ws, kc, w);
  }
}

const KernelSet& avx2_kernels() {
  // KC: A panel 6 x 256 x 4 B = 6 KiB and a B panel row stream fit L1; NC: the packed B
  // block (256 x 1024 x 4 B = 1 MiB) fits L2 on current x86 cores.
  static const KernelSet set{kMR,  kNR,  256, 1024, tile_6x16<true, false>,
                             tile_6x16<false, false>, tile_6x16<true, true>, dot_4x4,
                             pack_avx2};
  return set;
}

}  // namespace tl::gemm_detail
#endif  // __x86_64__
