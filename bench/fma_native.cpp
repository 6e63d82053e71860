// The machine's measured FP32 limit: a loop of independent fused multiply-adds and nothing
// else (no loads, no stores), on 1 thread and on N threads at once. bench/models.ts builds it
//   g++ -O2 -march=native -pthread bench/fma_native.cpp -o build/fma_peak
// and reads one JSON line: {"lanes":16,"one":GFLOP/s,"all":GFLOP/s,"threads":N}.
// 12 accumulators cover the FMA latency (4-5 cycles) times 2 FMA ports; vectors are the
// widest the compiler targets (-march=native), 16 floats with AVX-512.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
typedef float vec __attribute__((vector_size(kLanes * 4)));
constexpr int kAcc = 12;
constexpr long kIters = 20'000'000;

// Returns the sum so the loop is not optimized away.
__attribute__((noinline)) float fma_loop(long iters, float seed) {
  vec acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = vec{} + seed * (i + 1);
  const vec a = vec{} + 0.999999f, b = vec{} + 1e-7f;
  for (long n = 0; n < iters; ++n) {
#pragma GCC unroll 12
    for (int i = 0; i < kAcc; ++i) acc[i] = acc[i] * a + b;  // contracted to one FMA, in registers
  }
  float s = 0;
  for (int i = 0; i < kAcc; ++i)
    for (int l = 0; l < kLanes; ++l) s += acc[i][l];
  return s;
}

double gflops(int threads) {
  double best = 0;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::thread> pool;
    std::vector<float> sink(threads);
    auto t0 = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { sink[t] = fma_loop(kIters, 1.f + t); });
    for (auto& th : pool) th.join();
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (sink[0] == 12345.f) std::puts("");
    best = std::max(best, 2.0 * kLanes * kAcc * kIters * threads / dt * 1e-9);
  }
  return best;
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : int(std::thread::hardware_concurrency());
  std::printf("{\"lanes\":%d,\"one\":%.1f,\"all\":%.1f,\"threads\":%d}\n", kLanes, gflops(1), gflops(threads), threads);
}
