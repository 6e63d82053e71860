// Standalone GEMM timing harness (not part of the addon).
//   g++ -O3 -std=c++17 -pthread -Inative bench/gemm_native.cpp native/gemm*.cpp \
//       native/cpu.cpp native/thread_pool.cpp -o build/gemm_bench && build/gemm_bench
// Prints GFLOP/s (best of several runs) for 1 and 2 threads per shape and layout.
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

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) tl::set_simd_level(std::atoi(argv[1]));
  std::printf("simd level %d\n", tl::simd_level());
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
}
