// The small matrix products of attention.cpp, one register-blocked micro-kernel per
// instruction set (internal: not part of the kernels.h contract).
//
// C (M, N) = or += A (M, K) @ B (K, N), with A[i*ars + k*acs], B[k*ldb + n], C[i*ldc + n]:
// A's strides let one routine serve both P @ V and P^T @ dout, and B is always read
// row-wise. The Epilogue folds into the store what would otherwise be passes over C of
// their own: the online softmax's rescale of its accumulator (one FMA with the new sum on
// AVX2 / AVX-512) and its final 1 / l, and dq's final scale. The three versions give the same results up to float rounding (each element
// is summed over k in order; the SIMD ones with FMAs). matmul_avx2 needs use_avx2() and
// matmul_avx512 use_avx512() (simd.h).
#pragma once
#include <cstdint>

#include "simd.h"

namespace tl::attention_detail {

// C = ((add ? C * row_scale[i] : 0) + A @ B) * post * row_post[i]; a null row_scale or
// row_post multiplies by nothing, a post of 1 is skipped.
struct Epilogue {
  bool add;
  const float* row_scale = nullptr;
  float post = 1.f;
  const float* row_post = nullptr;
};
constexpr Epilogue kStore{false}, kAdd{true};
// The epilogue of rows [i, ...) of C: row_scale moves along with C.
inline Epilogue rows_from(const Epilogue& e, int64_t i) {
  return Epilogue{e.add, e.row_scale ? e.row_scale + i : nullptr, e.post,
                  e.row_post ? e.row_post + i : nullptr};
}

void matmul_portable(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                     int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                     const Epilogue& e);
#if defined(__x86_64__)
TL_AVX2 void matmul_avx2(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                         int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                         const Epilogue& e);
TL_AVX512 void matmul_avx512(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                             int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                             const Epilogue& e);
#endif

}  // namespace tl::attention_detail
