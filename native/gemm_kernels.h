// Internal contract between the GEMM driver (gemm.cpp) and its SIMD micro-kernels
// (gemm_kernels_avx2.cpp, gemm_kernels_avx512.cpp). Not part of the kernel API.
//
// The driver follows BLIS/GotoBLAS: C is cut into register tiles of MR x NR; the K
// dimension into blocks of KC; N into blocks of NC. A block of B (KC, NC) is packed into
// NR-wide panels that stay in L2, an MR-row panel of A (KC, MR) is packed so it stays in
// L1 while the kernel sweeps it across the B block.
#pragma once
#include <cstdint>

#include "kernels.h"

namespace tl::gemm_detail {

// One register tile: c (m, n) = alpha * a (m, kc) @ b (kc, n) + beta * c, m <= MR, n <= NR.
// a: element (i, k) at a[i*rs_a + k*cs_a]; packed panels have rs_a = 1, cs_a = MR (the
//    rows_a kernel reads a[i*a_row_ld + k] whatever rs_a says).
// b: row k at b + k*rs_b, NR contiguous floats (a packed panel, rs_b = NR, zero padded),
//    or, for the "direct B" variant, a row of the caller's f32 B read with masked loads.
// c: element (i, j) at c[i*ldc + j]; beta == 0 means c is not read.
// bias: null, or n values added to every row after the sum: (alpha * ab + beta * c) + bias.
// The k loop runs in order 0..kc-1 for every element, so a tile's result does not depend
// on where it sits in the matrix or which thread computes it.
struct Tile {
  int64_t kc;
  const float* a;
  int64_t rs_a, cs_a;
  const float* b;
  int64_t rs_b;
  float* c;
  int64_t ldc;
  float alpha, beta;
  int m, n;
  const float* bias = nullptr;
};
using TileKernel = void (*)(const Tile& t);

// The dot-product form, for skinny shapes where an MR x NR outer product would mostly
// multiply padding (N of LoRA rank, or M of a few tokens): with m, n <= kDotTile,
//   c (m, n) = alpha * a (m, kc) @ b (n, kc)^T + beta * c,
// rows of a at stride rs_a and rows of b (op(B) transposed) at stride rs_b, both
// contiguous along k; cs_a is unused. Each element is one vector dot product over k,
// reduced across lanes in a fixed order.
constexpr int kDotTile = 4;

// dst (kc, W) = src viewed as (kc, w), zero padded to W columns:
//   dst[k*W + i] = src[k*ks + i*ws] for i < w, 0 for w <= i < W.
// src is f32 or bf16 (bf16 -> f32 is bits << 16). Either ks == 1 (a transpose) or
// ws == 1 (a copy); other strides fall back to a scalar loop.
using PackFn = void (*)(float* dst, int W, const void* src, DType dtype, int64_t ks,
                        int64_t ws, int64_t kc, int w);

struct KernelSet {
  int mr, nr;          // register tile
  int64_t kc, nc;      // cache blocks: B block (kc, nc) fits L2, A panel (kc, mr) fits L1
  TileKernel packed;   // a and b packed
  TileKernel direct_a; // a read in place through (rs_a, cs_a), b packed
  TileKernel direct_b; // a packed, b rows read in place (f32, row-contiguous B)
  TileKernel dot;      // the dot-product form above
  PackFn pack;
  // a as MR rows at the fixed stride a_row_ld >= kc, b packed: a row-major A panel is
  // copied row by row instead of transposed into (kc, MR), several times cheaper. Null
  // where the set has none.
  TileKernel rows_a = nullptr;
  int64_t a_row_ld = 0;
  // Rows up to which f32 B stored (K, N) is read in place by direct_b, each B tile column
  // swept by all the row panels in turn (see run_region_direct_b); 0: one panel, MR.
  int64_t direct_b_rows = 0;
};

// Kernel sets per SIMD level; the SIMD ones exist only on x86-64.
const KernelSet& portable_kernels();
#if defined(__x86_64__)
const KernelSet& avx2_kernels();
const KernelSet& avx512_kernels();
// The AVX2 packing routine, shared by the AVX-512 set.
void pack_avx2(float* dst, int W, const void* src, DType dtype, int64_t ks, int64_t ws,
               int64_t kc, int w);
#endif

// Scalar packing, also the fallback for general strides.
void pack_portable(float* dst, int W, const void* src, DType dtype, int64_t ks, int64_t ws,
                   int64_t kc, int w);

inline float bf16_to_f32(uint16_t bits) {
  uint32_t u = uint32_t(bits) << 16;
  float f;
  __builtin_memcpy(&f, &u, sizeof f);
  return f;
}

}  // namespace tl::gemm_detail
