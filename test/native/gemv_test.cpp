// gemm() on the shapes it hands to gemv_rows (M <= 4 rows against an f32 B stored (K, N)),
// against the double-accumulating reference: every row count, column and K tails around
// the vector width and the 8-row passes, padded strides, A transposed, alpha/beta (beta 0
// over NaN), the bias epilogue, sentinels around C, each SIMD level; and results
// bit-identical whatever the thread count.
#include <limits>

#include "check.h"
#include "levels.h"
#include "gemv.h"
#include "kernels.h"
#include "thread_pool.h"

namespace {

struct Case {
  bool ta = false;
  int64_t M = 1, N = 16, K = 1;
  float alpha = 1.f, beta = 0.f;
  bool bias = false;
  int64_t pad = 3;  // extra elements per row of every operand
};

struct Operands {
  int64_t lda, ldb, ldc;
  std::vector<float> A, B, bias;
  check::Guarded C;
  Operands(const Case& c, uint32_t seed, bool nan_c = false)
      : C(c.M * (c.N + c.pad), std::numeric_limits<float>::quiet_NaN()) {
    lda = (c.ta ? c.M : c.K) + c.pad;
    ldb = c.N + c.pad;
    ldc = c.N + c.pad;
    A = check::randn((c.ta ? c.K : c.M) * lda, seed);
    B = check::randn(c.K * ldb, seed + 1);
    if (c.bias) bias = check::randn(c.N, seed + 2);
    if (!nan_c) {
      auto c0 = check::randn(C.n, seed + 3);
      for (int64_t i = 0; i < C.n; ++i) C[i] = c0[i];
    }
  }
  void gemm(const Case& c) {
    tl::gemm(c.ta, false, c.M, c.N, c.K, c.alpha, A.data(), lda, 0, B.data(), tl::F32, ldb, 0,
             c.beta, C.data(), ldc, 0, 1, bias.empty() ? nullptr : bias.data());
  }
};

void check_case(const Case& c, uint32_t seed) {
  const bool nan_c = c.beta == 0.f;  // beta == 0: C is never read
  Operands got(c, seed, nan_c), want(c, seed, nan_c);
  got.gemm(c);
  tl::gemm_reference(c.ta, false, c.M, c.N, c.K, c.alpha, want.A.data(), want.lda, 0,
                     want.B.data(), tl::F32, want.ldb, 0, c.beta, want.C.data(), want.ldc, 0, 1,
                     want.bias.empty() ? nullptr : want.bias.data());
  CHECK(got.C.intact());
  // Rows only: the padding between them must be left as it was (NaN when beta == 0).
  bool padding_kept = true;
  for (int64_t i = 0; i < c.M; ++i)
    for (int64_t j = c.N; j < got.ldc; ++j) {
      const float g = got.C[i * got.ldc + j], w = want.C[i * want.ldc + j];
      padding_kept &= (std::isnan(g) && std::isnan(w)) || g == w;
    }
  CHECK(padding_kept);
  std::vector<float> g, w;
  for (int64_t i = 0; i < c.M; ++i)
    for (int64_t j = 0; j < c.N; ++j) g.push_back(got.C[i * got.ldc + j]), w.push_back(want.C[i * want.ldc + j]);
  const double tol = 1e-4 * std::sqrt(double(c.K));
  if (!(check::max_rel_err(g.data(), w.data(), int64_t(g.size())) <= tol)) {
    std::fprintf(stderr, "  case ta=%d M=%ld N=%ld K=%ld alpha=%g beta=%g bias=%d level=%d\n", c.ta,
                 long(c.M), long(c.N), long(c.K), c.alpha, c.beta, c.bias, tl::simd_level());
    CHECK_CLOSE(g.data(), w.data(), int64_t(g.size()), tol);
  }
}


}  // namespace

TEST(gemv_rows_tails_and_strides) {
  // N: one vector, tails of 1 and 15 lanes, several L1 pieces (4096 / M columns); K: fewer
  // rows than one pass, pass tails, chunk tails, K beyond 8 chunks.
  check::for_each_level([] {
    for (int ta = 0; ta < 2; ++ta)
      for (int64_t M = 1; M <= tl::kGemvMaxRows; ++M)
        for (int64_t N : {16, 17, 31, 100, 1100, 4100})
          for (int64_t K : {1, 7, 8, 9, 65, 300, 777}) {
            if (N * K > 1100 * 300 && M > 1) continue;  // the large ones once per level
            Case c;
            c.ta = ta, c.M = M, c.N = N, c.K = K, c.beta = (N + K) % 2 ? 0.f : 1.f;
            check_case(c, uint32_t(M * 131 + N * 7 + K));
          }
  });
}

TEST(gemv_rows_alpha_beta_bias) {
  check::for_each_level([] {
    for (float alpha : {1.f, -0.5f})
      for (float beta : {0.f, 1.f, -1.5f})
        for (int64_t M : {1, 3}) {
          Case c;
          c.M = M, c.N = 70, c.K = 130, c.alpha = alpha, c.beta = beta, c.bias = true;
          check_case(c, uint32_t(M + 17));
          c.N = 3072, c.K = 768;  // a GPT-2 MLP shape, above the threshold for threads
          check_case(c, uint32_t(M + 19));
        }
  });
}

TEST(gemv_rows_bias_rounds_like_a_separate_add) {
  Case c;
  c.M = 2, c.N = 300, c.K = 700, c.bias = true;
  Operands fused(c, 4), plain(c, 4);
  fused.gemm(c);
  plain.bias.clear();
  plain.gemm(c);
  for (int64_t i = 0; i < c.M; ++i)
    for (int64_t j = 0; j < c.N; ++j) plain.C[i * plain.ldc + j] += fused.bias[j];
  CHECK(std::memcmp(fused.C.data(), plain.C.data(), sizeof(float) * plain.C.n) == 0);
}

TEST(gemv_rows_thread_count_independent) {
  const int saved = tl::num_threads();
  check::for_each_level([] {
    for (int64_t M : {1, 4}) {
      Case c;
      c.M = M, c.N = 768, c.K = 3072 + 5, c.beta = 0.5f, c.bias = true;
      std::vector<std::vector<float>> results;
      for (int threads : {2, 2, 1, 3, 8}) {
        tl::set_num_threads(threads);
        Operands o(c, 21);
        o.gemm(c);
        results.emplace_back(o.C.storage);
      }
      for (size_t r = 1; r < results.size(); ++r) CHECK(results[r] == results[0]);
    }
  });
  tl::set_num_threads(saved);
}

TEST(gemv_rows_declines_other_shapes) {
  // What gemm keeps for itself must come back untouched: more rows, narrow N.
  float dummy[64] = {};
  CHECK(!tl::gemv_rows(false, tl::kGemvMaxRows + 1, 64, 8, 1.f, dummy, 8, dummy, 64, 0.f, dummy, 64, nullptr));
  CHECK(!tl::gemv_rows(false, 1, 8, 8, 1.f, dummy, 8, dummy, 8, 0.f, dummy, 8, nullptr));
  CHECK(!tl::gemv_rows(false, 1, 64, 0, 1.f, dummy, 8, dummy, 64, 0.f, dummy, 64, nullptr));
}
