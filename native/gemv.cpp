// Matrix-vector products against a weight stored (K, N); see gemv.h.
//
// Why not the GEMM's tiles: with one row of A, a 14 x 32 tile is 1/14 used and reads B
// 128 bytes per row, rows a whole row apart, which this CPU's prefetchers follow at ~26 GB/s.
// Here each thread streams its own contiguous run of B's rows, several rows per pass, into a
// partial product that stays in L1 (~43 GB/s on 2 cores, the memory's limit).
#include "gemv.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "simd.h"
#include "thread_pool.h"
#include "workspace.h"

namespace tl {
namespace {

constexpr int64_t kMaxChunks = 8;        // K is cut into at most this many chunks
constexpr int kRowStep = 8;              // rows of B per pass (chunks start at multiples of it)
constexpr int64_t kPieceFloats = 4096;   // a piece of the partial (16 KiB) stays in L1

// part (M, n) = x (M, kc) @ w (kc, n), each element summed in k order. x rows at stride ldx,
// w rows at stride ldw, part rows at stride ldp.
struct Chunk {
  const float* x;
  int64_t ldx;
  const float* w;
  int64_t ldw, kc, n;
  float* part;
  int64_t ldp;
};

void chunk_portable(const Chunk& c, int M) {
  for (int i = 0; i < M; ++i) std::fill(c.part + i * c.ldp, c.part + i * c.ldp + c.n, 0.f);
  for (int64_t k = 0; k < c.kc; ++k)
    for (int i = 0; i < M; ++i) {
      const float xi = c.x[i * c.ldx + k];
      const float* wk = c.w + k * c.ldw;
      float* p = c.part + i * c.ldp;
      for (int64_t j = 0; j < c.n; ++j) p[j] += xi * wk[j];
    }
}

#if defined(__x86_64__)
// R rows of w (from row k) into the M partial rows over columns [j0, j1): each partial
// element takes the R products in k order, one FMA each. Everything the loop reads is
// hoisted into locals first: the compiler must assume the partial's stores may alias x or
// the Chunk, and would reload them every vector.
template <int M, int R>
TL_AVX512 inline void rows_avx512(const Chunk& c, int64_t k, int64_t j0, int64_t j1) {
  __m512 xb[M][R];
  for (int i = 0; i < M; ++i)
    for (int r = 0; r < R; ++r) xb[i][r] = _mm512_set1_ps(c.x[i * c.ldx + k + r]);
  const float* w[R];
  for (int r = 0; r < R; ++r) w[r] = c.w + (k + r) * c.ldw;
  float* p[M];
  for (int i = 0; i < M; ++i) p[i] = c.part + i * c.ldp;
  int64_t j = j0;
  // Plain loads for whole vectors: the prefetchers do not follow masked ones.
  for (; j + 16 <= j1; j += 16) {
    __m512 wv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) wv[r] = _mm512_loadu_ps(w[r] + j);
#pragma GCC unroll 4
    for (int i = 0; i < M; ++i) {
      __m512 acc = _mm512_loadu_ps(p[i] + j);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc = _mm512_fmadd_ps(xb[i][r], wv[r], acc);
      _mm512_storeu_ps(p[i] + j, acc);
    }
  }
  if (j < j1) {
    const __mmask16 mask = __mmask16((1u << (j1 - j)) - 1);
    for (int i = 0; i < M; ++i) {
      __m512 acc = _mm512_maskz_loadu_ps(mask, p[i] + j);
      for (int r = 0; r < R; ++r) acc = _mm512_fmadd_ps(xb[i][r], _mm512_maskz_loadu_ps(mask, w[r] + j), acc);
      _mm512_mask_storeu_ps(p[i] + j, mask, acc);
    }
  }
}

template <int M>
TL_AVX512 void chunk_avx512(const Chunk& c) {
  constexpr int64_t piece = kPieceFloats / M;
  for (int64_t j0 = 0; j0 < c.n; j0 += piece) {
    const int64_t j1 = std::min(c.n, j0 + piece);
    for (int i = 0; i < M; ++i) std::fill(c.part + i * c.ldp + j0, c.part + i * c.ldp + j1, 0.f);
    int64_t k = 0;
    for (; k + kRowStep <= c.kc; k += kRowStep) rows_avx512<M, kRowStep>(c, k, j0, j1);
    for (; k < c.kc; ++k) rows_avx512<M, 1>(c, k, j0, j1);
  }
}

// The same with 8 lanes; a column tail of fewer than 8 runs through the scalar loop, which
// sums in the same k order.
template <int M, int R>
TL_AVX2 inline void rows_avx2(const Chunk& c, int64_t k, int64_t j0, int64_t j1) {
  __m256 xb[M][R];
  for (int i = 0; i < M; ++i)
    for (int r = 0; r < R; ++r) xb[i][r] = _mm256_set1_ps(c.x[i * c.ldx + k + r]);
  const float* w[R];
  for (int r = 0; r < R; ++r) w[r] = c.w + (k + r) * c.ldw;
  float* p[M];
  for (int i = 0; i < M; ++i) p[i] = c.part + i * c.ldp;
  for (int64_t j = j0; j < j1; j += 8) {
    __m256 wv[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) wv[r] = _mm256_loadu_ps(w[r] + j);
#pragma GCC unroll 4
    for (int i = 0; i < M; ++i) {
      __m256 acc = _mm256_loadu_ps(p[i] + j);
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) acc = _mm256_fmadd_ps(xb[i][r], wv[r], acc);
      _mm256_storeu_ps(p[i] + j, acc);
    }
  }
}

template <int M>
TL_AVX2 void chunk_avx2(const Chunk& c) {
  constexpr int64_t piece = kPieceFloats / M;
  for (int64_t j0 = 0; j0 < c.n; j0 += piece) {
    const int64_t j1 = std::min(c.n, j0 + piece), vec_end = j0 + (j1 - j0) / 8 * 8;
    for (int i = 0; i < M; ++i) std::fill(c.part + i * c.ldp + j0, c.part + i * c.ldp + j1, 0.f);
    int64_t k = 0;
    for (; k + kRowStep <= c.kc; k += kRowStep) rows_avx2<M, kRowStep>(c, k, j0, vec_end);
    for (; k < c.kc; ++k) rows_avx2<M, 1>(c, k, j0, vec_end);
    for (int64_t k2 = 0; k2 < c.kc; ++k2)  // the column tail
      for (int i = 0; i < M; ++i)
        for (int64_t j = vec_end; j < j1; ++j)
          c.part[i * c.ldp + j] += c.x[i * c.ldx + k2] * c.w[k2 * c.ldw + j];
  }
}
#endif

void run_chunk(const Chunk& c, int M) {
#if defined(__x86_64__)
  if (use_avx512()) {
    switch (M) {
      case 1: return chunk_avx512<1>(c);
      case 2: return chunk_avx512<2>(c);
      case 3: return chunk_avx512<3>(c);
      default: return chunk_avx512<4>(c);
    }
  }
  if (use_avx2()) {
    switch (M) {
      case 1: return chunk_avx2<1>(c);
      case 2: return chunk_avx2<2>(c);
      case 3: return chunk_avx2<3>(c);
      default: return chunk_avx2<4>(c);
    }
  }
#endif
  chunk_portable(c, M);
}

// The chunks' partials and a transposed A: a token's dozens of products allocate nothing.
thread_local Workspace t_scratch;

}  // namespace

bool gemv_rows(bool trans_a, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
               int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc,
               const float* bias) {
  if (M < 1 || M > kGemvMaxRows || N < 16 || K < 1) return false;
  // Chunks of a multiple of kRowStep rows, at offsets that depend on K only.
  const int64_t per = ((K + kMaxChunks - 1) / kMaxChunks + kRowStep - 1) / kRowStep * kRowStep;
  const int64_t chunks = (K + per - 1) / per;
  const size_t part_floats = size_t(chunks * M * N);
  float* scratch = t_scratch.get(part_floats + (trans_a ? size_t(M * K) : 0));
  if (!scratch) return false;
  float* parts = scratch;  // (chunks, M, N)
  const float* x = A;      // (M, K) rows at stride ldx
  int64_t ldx = lda;
  if (trans_a) {
    float* xt = scratch + part_floats;
    for (int64_t i = 0; i < M; ++i)
      for (int64_t k = 0; k < K; ++k) xt[i * K + k] = A[k * lda + i];
    x = xt, ldx = K;
  }

  // Below ~2^18 multiply-adds waking the pool costs more than it saves (as in gemm.cpp).
  // Otherwise every thread claims chunks one at a time, so a thread another process
  // preempts holds up one chunk, not a fixed share (which thread sums a chunk does not
  // change its partial).
  const bool tiny = double(M) * double(N) * double(K) < 262144.0;
  std::atomic<int64_t> next{0};
  parallel_for(tiny ? 1 : num_threads(), 1, [&](int, int64_t, int64_t) {
    for (int64_t s; (s = next.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
      const int64_t k0 = s * per;
      Chunk c{x + k0, ldx, B + k0 * ldb, ldb, std::min(per, K - k0), N, parts + s * M * N, N};
      run_chunk(c, int(M));
    }
  });

  // The partials in chunk order, then C = alpha * sum + beta * C, then the bias.
  for (int64_t i = 0; i < M; ++i) {
    float* sum = parts + i * N;
    for (int64_t s = 1; s < chunks; ++s) {
      const float* p = parts + (s * M + i) * N;
      for (int64_t j = 0; j < N; ++j) sum[j] += p[j];
    }
    float* ci = C + i * ldc;
    for (int64_t j = 0; j < N; ++j) {
      const float r = alpha * sum[j];
      ci[j] = beta != 0.f ? beta * ci[j] + r : r;
    }
    if (bias)
      for (int64_t j = 0; j < N; ++j) ci[j] += bias[j];
  }
  return true;
}

}  // namespace tl
