// The small matrix products of attention.cpp, one register-blocked micro-kernel per
// instruction set (internal: not part of the kernels.h contract).
//
// C (M, N) = or += A (M, K) @ B (K, N), with A[i*ars + k*acs], B[k*ldb + n], C[i*ldc + n]:
// A's strides let one routine serve both P @ V and P^T @ dout, and B is always read
// row-wise. The three versions give the same results up to float rounding (each element
// is summed over k in order; the SIMD ones with FMAs). matmul_avx2 needs use_avx2() and
// matmul_avx512 use_avx512() (simd.h).
#pragma once
#include <cstdint>

#include "simd.h"

namespace tl::attention_detail {

void matmul_portable(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                     int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                     bool accumulate);
#if defined(__x86_64__)
TL_AVX2 void matmul_avx2(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                         int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                         bool accumulate);
TL_AVX512 void matmul_avx512(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars,
                             int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                             bool accumulate);
#endif

}  // namespace tl::attention_detail
