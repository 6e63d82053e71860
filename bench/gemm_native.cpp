// Standalone GEMM timing harness (not part of the addon).
//   g++ -O3 -std=c++17 -pthread -Inative bench/gemm_native.cpp native/gemm*.cpp native/gemv.cpp \
//       native/quant.cpp native/cpu.cpp native/thread_pool.cpp -o build/gemm_bench && build/gemm_bench
// Prints GFLOP/s (best of several runs) for 1 and 2 threads per shape and layout, then the
// cases a model meets: x @ W^T against a weight not in cache (each layer's weight is read
// from memory once per forward), and BERT-base's forward GEMMs as a chain (12 layers of
// distinct weights, bias, each output the next input). `build/gemm_bench model` runs only
// those.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace {

struct Shape {
  int64_t M, K, N, batch;
};

uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return uint16_t((u + 0x7FFF + ((u >> 16) & 1)) >> 16);
}

// layout: 0 = A @ B (B (K, N)), 1 = A @ W^T (W (N, K)), 2 = A @ W^T with bf16 W,
// 3 = A^T @ B (A stored (K, M)).
double gflops(const Shape& s, int layout, int threads) {
  tl::set_num_threads(threads);
  const int64_t M = s.M, N = s.N, K = s.K, nb = s.batch;
  std::vector<float> A(M * K * nb), B(K * N * nb), C(M * N * nb);
  for (size_t i = 0; i < A.size(); ++i) A[i] = float(i % 13) * 0.1f - 0.6f;
  for (size_t i = 0; i < B.size(); ++i) B[i] = float(i % 7) * 0.1f - 0.3f;
  std::vector<uint16_t> Bh(B.size());
  for (size_t i = 0; i < B.size(); ++i) Bh[i] = to_bf16(B[i]);
  const bool ta = layout == 3, tb = layout == 1 || layout == 2;
  const void* b = layout == 2 ? static_cast<const void*>(Bh.data()) : B.data();
  auto run = [&] {
    tl::gemm(ta, tb, M, N, K, 1.f, A.data(), ta ? M : K, M * K, b,
             layout == 2 ? tl::BF16 : tl::F32, tb ? K : N, K * N, 0.f, C.data(), N, M * N, nb);
  };
  run();
  const double flop = 2.0 * M * N * K * nb;
  int reps = std::max(1, int(2e8 / flop));
  double best = 1e30;
  for (int trial = 0; trial < 12; ++trial) {
    auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < reps; ++r) run();
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, dt / reps);
  }
  return flop / best * 1e-9;
}

float* filled(size_t n, float scale) {
  float* p = static_cast<float*>(std::aligned_alloc(4096, (n * 4 + 4095) / 4096 * 4096));
  for (size_t i = 0; i < n; ++i) p[i] = scale * float(int(i % 17) - 8) / 8;
  return p;
}

// x (M, K) @ W^T with W (N, K), a different W each call from enough copies (>= 96 MiB) that
// none is in cache, as in a forward pass.
double cold_gflops(int64_t M, int64_t K, int64_t N, int threads) {
  tl::set_num_threads(threads);
  const int64_t copies = std::max<int64_t>(4, (96 << 20) / (N * K * 4));
  float *x = filled(M * K, 1.f), *w = filled(size_t(copies * N * K), .03f), *y = filled(M * N, 0);
  int64_t next = 0;
  auto run = [&] {
    const float* wi = w + (next++ % copies) * N * K;
    tl::gemm(false, true, M, N, K, 1.f, x, K, 0, wi, tl::F32, K, 0, 0.f, y, N, 0, 1);
  };
  run();
  const double flop = 2.0 * M * N * K;
  double best = 1e30;
  for (int trial = 0; trial < 40; ++trial) {
    auto t0 = std::chrono::steady_clock::now();
    run();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::free(x), std::free(w), std::free(y);
  return flop / best * 1e-9;
}

// BERT-base's forward GEMMs for 8 x 128 tokens: per layer q, k, v, the attention output
// (fed v for the attention), the FFN up and down, with bias; a scale stands in for the
// residual and norm so values stay bounded. Best of a few forwards.
double chain_gflops(int threads) {
  tl::set_num_threads(threads);
  const int64_t L = 12, M = 1024, H = 768, F = 3072;
  std::vector<float*> w(L * 6), bias(L * 6);
  for (int64_t i = 0; i < L * 6; ++i) {
    const int64_t n = i % 6 == 4 ? F : H, k = i % 6 == 5 ? F : H;
    w[i] = filled(n * k, .03f), bias[i] = filled(n, .01f);
  }
  float *x = filled(M * H, 1.f), *q = filled(M * H, 0), *v = filled(M * H, 0),
        *o = filled(M * H, 0), *h = filled(M * F, 0);
  auto linear = [&](const float* a, int64_t i, float* c) {
    const int64_t n = i % 6 == 4 ? F : H, k = i % 6 == 5 ? F : H;
    tl::gemm(false, true, M, n, k, 1.f, a, k, 0, w[i], tl::F32, k, 0, 0.f, c, n, 0, 1, bias[i]);
  };
  double best = 1e30;
  for (int trial = 0; trial < 4; ++trial) {
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t l = 0; l < L; ++l) {
      linear(x, 6 * l, q), linear(x, 6 * l + 1, q), linear(x, 6 * l + 2, v);
      linear(v, 6 * l + 3, o), linear(o, 6 * l + 4, h), linear(h, 6 * l + 5, x);
      for (int64_t i = 0; i < M * H; ++i) x[i] = x[i] * 1e-3f + .5f;
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  for (int64_t i = 0; i < L * 6; ++i) std::free(w[i]), std::free(bias[i]);
  std::free(x), std::free(q), std::free(v), std::free(o), std::free(h);
  return 2.0 * L * M * (4 * H * H + 2 * H * F) / best * 1e-9;
}

void model_cases() {
  std::printf("\n%-34s %8s %8s\n", "x @ W^T, weight not in cache", "1 thr", "2 thr");
  const int64_t cold[][3] = {{64, 768, 768}, {64, 768, 3072}, {1024, 768, 768}, {1024, 768, 3072}};
  for (const auto& s : cold) {
    char shape[64];
    std::snprintf(shape, sizeof shape, "%ldx%ldx%ld", long(s[0]), long(s[1]), long(s[2]));
    std::printf("%-34s %8.1f %8.1f\n", shape, cold_gflops(s[0], s[1], s[2], 1),
                cold_gflops(s[0], s[1], s[2], 2));
  }
  std::printf("%-34s %8.1f %8.1f\n", "BERT-base forward GEMMs (8x128)", chain_gflops(1),
              chain_gflops(2));
}

}  // namespace

int main(int argc, char** argv) {
  const bool model_only = argc > 1 && std::strcmp(argv[1], "model") == 0;
  if (argc > 1 && !model_only) tl::set_simd_level(std::atoi(argv[1]));
  std::printf("simd level %d\n", tl::simd_level());
  if (model_only) return model_cases(), 0;
  const Shape shapes[] = {{1024, 768, 768, 1}, {1024, 768, 3072, 1}, {1024, 3072, 768, 1},
                          {512, 512, 512, 1},  {1024, 768, 8, 1},    {1024, 8, 768, 1},
                          {8, 1024, 768, 1},   {128, 64, 128, 96},   {128, 128, 64, 96}};
  const char* names[] = {"A@B", "A@W^T", "A@W^T bf16", "A^T@B"};
  std::printf("%-22s %-11s %8s %8s\n", "M x K x N (batch)", "layout", "1 thr", "2 thr");
  for (const Shape& s : shapes)
    for (int layout = 0; layout < 4; ++layout) {
      char shape[64];
      std::snprintf(shape, sizeof shape, "%ldx%ldx%ld (%ld)", long(s.M), long(s.K), long(s.N),
                    long(s.batch));
      const double g1 = gflops(s, layout, 1), g2 = gflops(s, layout, 2);
      std::printf("%-22s %-11s %8.1f %8.1f\n", shape, names[layout], g1, g2);
    }
  model_cases();
}
