// The inner loops of attention.cpp (internal: not part of the kernels.h contract): the
// row steps of the online softmax and of its gradient, portable, AVX2 and AVX-512, behind
// one table of function pointers picked per call by use_avx2() / use_avx512(), and the
// whole-block forms that fuse them (one pass per row, scores in registers).
#pragma once
#include <cstdint>
#include <limits>

#include "attention_tiles.h"

namespace tl::attention_detail {

constexpr int64_t kQueryBlock = 64;
constexpr int64_t kKeyBlock = 64;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// One block of scores: rows [0, nq) of s (kKeyBlock apart) against keys [j0, j0 + nk). Row r
// sees its first vis[r] keys (the causal rule); its scores are s * scale + bias (row r at
// bias + r * bias_ld, null if none) + kmadd (the key mask as 0 / -inf, null if none).
struct SoftmaxBlock {
  float* s;
  int64_t nq, nk;
  const int64_t* vis;
  float scale;
  const float* bias;
  int64_t bias_ld;
  const float* kmadd;
};

struct AttnOps {
  // C (M, N) = or += A (M, K) @ B (K, N), A read through strides (attention_tiles.h)
  void (*matmul)(int64_t M, int64_t N, int64_t K, const float* A, int64_t ars, int64_t acs,
                 const float* B, int64_t ldb, float* C, int64_t ldc, const Epilogue& e);
  // s (n) = s * scale + add1 + add2, either add may be null
  void (*affine)(float* s, int64_t n, float scale, const float* add1, const float* add2);
  float (*max)(const float* x, int64_t n);
  // x (n) = exp(x - shift); returns the sum
  float (*exp_sum)(float* x, int64_t n, float shift);
  void (*scale)(float* x, int64_t n, float alpha);
  void (*mul)(float* x, const float* z, int64_t n);
  // ds (n) = p * (dp - delta)
  void (*softmax_grad)(float* ds, const float* p, const float* dp, float delta, int64_t n);
  float (*dot)(const float* x, const float* y, int64_t n);
  void (*add)(float* y, const float* x, int64_t n);
  // dst (D, kKeyBlock) = src rows [0, nk) transposed, src (nk, D) rows `ld` apart: packs K
  // or V so that q . k_j becomes a row-times-matrix product the micro-kernel streams through.
  void (*pack_t)(float* dst, const float* src, int64_t ld, int64_t nk, int64_t D);
  // Whole-block forms of the two functions below, null where their row-by-row composition
  // of the row ops above serves.
  void (*online_softmax)(const SoftmaxBlock& sb, float* m, float* l, float* acc, int64_t D);
  void (*probs_and_grads)(const SoftmaxBlock& sb, const float* lse, const float* dp,
                          const float* delta, float* ds);
};

const AttnOps& attn_ops();

// One block step of the forward's online softmax: s becomes exp(scores - m_new) (0 past a
// row's visible keys), and the running max m, sum l (nq each) and the accumulator rows acc
// (nq, D) are rescaled to m_new. Rows that have seen no key yet stay 0.
void online_softmax(const AttnOps& ops, const SoftmaxBlock& sb, float* m, float* l, float* acc,
                    int64_t D);
// s becomes P = exp(scores - lse) (0 where a query sees no key) and, if ds is not null,
// ds = P * (dp - delta), all rows (nq, kKeyBlock); lse and delta start at the block's row 0.
void probs_and_grads(const AttnOps& ops, const SoftmaxBlock& sb, const float* lse,
                     const float* dp, const float* delta, float* ds);

}  // namespace tl::attention_detail
