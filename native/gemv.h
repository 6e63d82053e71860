// Matrix-vector products against a weight stored (K, N): a few rows of activations times
// GPT-2's Conv1D weights (in, out) while generating one token at a time. Internal to the
// GEMM: gemm() hands these shapes over (gemm.cpp), nothing else calls them.
#pragma once
#include <cstdint>

namespace tl {

// Most rows of A gemv_rows takes: beyond this the blocked GEMM reuses B from cache.
constexpr int64_t kGemvMaxRows = 4;

// C (M, N) = alpha * op(A) (M, K) @ B (K, N) + beta * C (+ bias[j] on every row), with B f32
// row-major at row stride ldb, op(A) as in gemm() (A[i*lda + k], or A[k*lda + i] when
// trans_a), C at row stride ldc; beta == 0 means C is not read. Returns false, touching
// nothing, for shapes it does not take (M > kGemvMaxRows, N too small to pay, no memory).
//
// B streams from memory once, row by row: K is cut into fixed chunks, each chunk's
// partial product is summed in k order by one thread, and the partials are added in
// chunk order. The chunks depend on K only, so the result does not depend on the thread
// count or on which thread ran which chunk (gemm.cpp's determinism rule).
bool gemv_rows(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
               int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
               const float* bias);

}  // namespace tl
