// Standalone GEMM timing harness (not part of the addon).
//   g++ -O3 -std=c++17 -pthread -Inative bench/gemm_native.cpp native/gemm*.cpp native/gemv.cpp
//       native/quant.cpp native/cpu.cpp native/thread_pool.cpp -o build/gemm_bench && build/gemm_bench
// Prints GFLOP/s (best of several runs) for 1 and 2 threads per shape and layout, then the
// cases a model meets: x @ W^T against a weight not in cache (each layer's weight is read
// from memory once per forward), and BERT-base's and BERT-small's GEMMs as chains (layers of
// distinct weights, each output the next input; forward with bias, and backward: input and
// weight gradients). `build/gemm_bench model` runs only those.
//
// For comparing settings on a shared machine, build with -DTL_GEMM_PROFILE (adds gemm.cpp's
// pack/kernel cycle split and its knobs, g_tune) and set
//   GEMM_BENCH_VARIANTS="kc,nc,pack_ahead,copy_ahead[,pool_yield_us];..."  knob settings, timed in turn
//   GEMM_BENCH_CHAIN=small      only the chains whose name contains this (no cold shapes)
//   GEMM_BENCH_SHAPES="M,N,K,layout;..."  instead, these shapes (layout 0 NN, 1 NT, 3 TN)
//   GEMM_BENCH_TRIALS, GEMM_BENCH_2ONLY=1, GEMM_BENCH_GAP_US (single-threaded work between products)
// Each variant reports the best wall GFLOP/s and the best per process CPU time ("cpu"),
// which excludes the time other processes hold the cores.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

#if defined(TL_GEMM_PROFILE)
#include <atomic>
#include <x86intrin.h>
namespace tl::gemm_detail {
extern std::atomic<uint64_t> g_profile[3];
extern int g_tune[4];
}
namespace tl {
int* pool_yield_knob();
}

#endif

namespace {

double cpu_seconds();

// With -DTL_GEMM_PROFILE: the share of the process's CPU time since reset() spent packing
// B, packing A and in the kernels (the rest: waiting for the other thread, the driver,
// the code between GEMMs).
struct ProfileSplit {
#if defined(TL_GEMM_PROFILE)
  uint64_t t0 = 0;
  double c0 = 0;
  std::chrono::steady_clock::time_point w0;
  void reset() {
    for (auto& c : tl::gemm_detail::g_profile) c = 0;
    t0 = __rdtsc(), c0 = cpu_seconds(), w0 = std::chrono::steady_clock::now();
  }
  void print(const char* name, int threads) const {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const double cycles = double(__rdtsc() - t0) / wall * (cpu_seconds() - c0);  // TSC ticks of CPU time
    std::printf("  %s %d thr: pack B %.1f%%, pack A %.1f%%, kernel %.1f%% of CPU time\n", name,
                threads, 100 * tl::gemm_detail::g_profile[0] / cycles,
                100 * tl::gemm_detail::g_profile[1] / cycles, 100 * tl::gemm_detail::g_profile[2] / cycles);
  }
#else
  void reset() {}
  void print(const char*, int) const {}
#endif
};

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

// A BERT encoder's GEMMs for M tokens, hidden H, FFN F, L layers of distinct weights (bias
// on the forward products). forward: per layer q, k, v, the attention output (fed v for the
// attention), the FFN up and down, each output the next input; a scale stands in for the
// residual and norm so values stay bounded. backward: per linear y = x W^T, the input
// gradient dy @ W (NN) and the weight gradient dy^T @ x (TN), layers in reverse. Best of
// a few passes.
// CPU time of the whole process (all threads): unlike wall time, not counting the time
// other processes hold the cores, so less noisy on a shared machine (it counts spinning).
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// GEMM_BENCH_VARIANTS="a,b,c,d;a,b,c,d;..." (a -DTL_GEMM_PROFILE build): settings of
// gemm.cpp's bench knobs, timed in turn pass by pass so load changes hit them alike.
std::vector<std::vector<int>> variants() {
  std::vector<std::vector<int>> out;
  const char* env = std::getenv("GEMM_BENCH_VARIANTS");
  if (!env) return {{}};
  for (const char* s = env; *s;) {
    std::vector<int> v;
    char* end;
    while (true) {
      v.push_back(int(std::strtol(s, &end, 10)));
      s = end;
      if (*s != ',') break;
      ++s;
    }
    out.push_back(v);
    if (*s == ';') ++s;
    else break;
  }
  return out;
}

void apply_variant(const std::vector<int>& v) {
#if defined(TL_GEMM_PROFILE)
  for (size_t i = 0; i < v.size() && i < 4; ++i) tl::gemm_detail::g_tune[i] = v[i];
  if (v.size() > 4) *tl::pool_yield_knob() = v[4];
#else
  (void)v;
#endif
}

double chain_gflops(int threads, int64_t L, int64_t M, int64_t H, int64_t F, bool backward) {
  tl::set_num_threads(threads);
  std::vector<float*> w(L * 6), bias(L * 6), dw(L * 6);
  auto n_of = [&](int64_t i) { return i % 6 == 4 ? F : H; };  // output features
  auto k_of = [&](int64_t i) { return i % 6 == 5 ? F : H; };  // input features
  for (int64_t i = 0; i < L * 6; ++i) {
    w[i] = filled(n_of(i) * k_of(i), .03f), bias[i] = filled(n_of(i), .01f);
    dw[i] = backward ? filled(n_of(i) * k_of(i), 0) : nullptr;
  }
  float *x = filled(M * F, 1.f), *q = filled(M * F, 0), *v = filled(M * F, 0),
        *o = filled(M * F, 0), *h = filled(M * F, 0);
  // GEMM_BENCH_GAP_US: single-threaded work after each product, as a model's other ops.
  const double gap_us = std::getenv("GEMM_BENCH_GAP_US") ? std::atof(std::getenv("GEMM_BENCH_GAP_US")) : 0;
  auto gap = [&] {
    const auto g0 = std::chrono::steady_clock::now();
    while (std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - g0).count() < gap_us) {}
  };
  auto linear = [&](const float* a, int64_t i, float* c) {
    const int64_t n = n_of(i), k = k_of(i);
    tl::gemm(false, true, M, n, k, 1.f, a, k, 0, w[i], tl::F32, k, 0, 0.f, c, n, 0, 1, bias[i]);
    gap();
  };
  // dy (M, n) -> dx (M, k) and dW (n, k); x (M, k) the saved input.
  auto linear_back = [&](const float* dy, const float* xin, int64_t i, float* dx) {
    const int64_t n = n_of(i), k = k_of(i);
    tl::gemm(false, false, M, k, n, 1.f, dy, n, 0, w[i], tl::F32, k, 0, 0.f, dx, k, 0, 1);
    gap();
    tl::gemm(true, false, n, k, M, 1.f, dy, n, 0, xin, tl::F32, k, 0, 0.f, dw[i], k, 0, 1);
    gap();
  };
  const auto vars = variants();
  const int trials = std::getenv("GEMM_BENCH_TRIALS") ? std::atoi(std::getenv("GEMM_BENCH_TRIALS")) : 4;
  std::vector<double> bests(vars.size(), 1e30), cpu_bests(vars.size(), 1e30);
  ProfileSplit split;
  for (int pass = 0; pass < trials * int(vars.size()); ++pass) {
    const size_t var = pass % vars.size();
    apply_variant(vars[var]);
    double& best = bests[var];
    if (pass == int(vars.size())) split.reset();  // the first passes allocate and fault pages in
    auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    if (!backward) {
      for (int64_t l = 0; l < L; ++l) {
        linear(x, 6 * l, q), linear(x, 6 * l + 1, q), linear(x, 6 * l + 2, v);
        linear(v, 6 * l + 3, o), linear(o, 6 * l + 4, h), linear(h, 6 * l + 5, x);
        for (int64_t i = 0; i < M * H; ++i) x[i] = x[i] * 1e-3f + .5f;
      }
    } else {
      for (int64_t l = L - 1; l >= 0; --l) {
        linear_back(x, h, 6 * l + 5, o);  // FFN down: dy (M, H) -> dh (M, F)
        linear_back(o, v, 6 * l + 4, h);  // FFN up: dh (M, F) -> (M, H)
        linear_back(h, q, 6 * l + 3, v);  // attention output
        linear_back(v, q, 6 * l + 2, q), linear_back(v, q, 6 * l + 1, o);
        linear_back(v, q, 6 * l, x);
        for (int64_t i = 0; i < M * H; ++i) x[i] = x[i] * 1e-3f + .5f;
      }
    }
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    cpu_bests[var] = std::min(cpu_bests[var], (cpu_seconds() - c0) / threads);
  }
  split.print(backward ? "backward" : "forward", threads);
  const double flop = (backward ? 4.0 : 2.0) * L * M * (4 * H * H + 2 * H * F);
  if (vars.size() > 1) {
    std::printf("  %d thr variants:", threads);
    for (size_t i = 0; i < bests.size(); ++i)
      std::printf(" %.1f (cpu %.1f)", flop / bests[i] * 1e-9, flop / cpu_bests[i] * 1e-9);
    std::printf("\n");
  }
  const double best = *std::min_element(bests.begin(), bests.end());
  for (int64_t i = 0; i < L * 6; ++i) std::free(w[i]), std::free(bias[i]), std::free(dw[i]);
  std::free(x), std::free(q), std::free(v), std::free(o), std::free(h);
  return flop / best * 1e-9;
}

// GEMM_BENCH_SHAPES="M,N,K,layout;..." (layout as in gflops(): 0 NN, 1 NT, 3 TN): each shape
// with a different B (and A for TN) per call from enough copies that none is in cache, the
// variants alternated call by call; best wall and CPU GFLOP/s per variant.
void shape_variants(const char* spec, int threads) {
  tl::set_num_threads(threads);
  const auto vars = variants();
  for (const char* s = spec; *s;) {
    long M, N, K, layout;
    int used = 0;
    if (std::sscanf(s, "%ld,%ld,%ld,%ld%n", &M, &N, &K, &layout, &used) != 4) break;
    s += used;
    if (*s == ';') ++s;
    const int64_t copies = std::max<int64_t>(4, (96 << 20) / (N * K * 4));
    float *a = filled(M * K, 1.f), *b = filled(size_t(copies * N * K), .03f), *c = filled(M * N, 0);
    const bool ta = layout == 3, tb = layout == 1;
    int64_t next = 0;
    std::vector<double> wall(vars.size(), 1e30), cpu(vars.size(), 1e30);
    const int calls = std::max(1, int(3e8 / (2.0 * M * N * K)));
    ProfileSplit split;
    split.reset();
    for (int pass = 0; pass < 10 * int(vars.size()); ++pass) {
      const size_t v = pass % vars.size();
      apply_variant(vars[v]);
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_seconds();
      for (int r = 0; r < calls; ++r) {
        const float* bi = b + (next++ % copies) * N * K;
        tl::gemm(ta, tb, M, N, K, 1.f, a, ta ? M : K, 0, bi, tl::F32, tb ? K : N, 0, 0.f, c, N, 0, 1);
      }
      wall[v] = std::min(wall[v], std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / calls);
      cpu[v] = std::min(cpu[v], (cpu_seconds() - c0) / threads / calls);
    }
    if (threads == 1) split.print("", threads);
    std::printf("%ldx%ldx%ld %s %d thr:", M, N, K, layout == 0 ? "NN" : layout == 1 ? "NT" : "TN", threads);
    for (size_t v = 0; v < vars.size(); ++v)
      std::printf(" %.1f (cpu %.1f)", 2.0 * M * N * K / wall[v] * 1e-9, 2.0 * M * N * K / cpu[v] * 1e-9);
    std::printf("\n");
    std::free(a), std::free(b), std::free(c);
  }
}

void model_cases() {
  if (const char* spec = std::getenv("GEMM_BENCH_SHAPES")) {
    shape_variants(spec, 1), shape_variants(spec, 2);
    return;
  }
  std::printf("\n%-34s %8s %8s\n", "x @ W^T, weight not in cache", "1 thr", "2 thr");
  const int64_t cold[][3] = {{64, 768, 768},    {64, 768, 3072},   {1024, 768, 768},
                             {1024, 768, 3072}, {1024, 512, 512},  {1024, 512, 2048},
                             {1024, 2048, 512}};
  for (const auto& s : cold) {
    if (std::getenv("GEMM_BENCH_CHAIN")) break;
    char shape[64];
    std::snprintf(shape, sizeof shape, "%ldx%ldx%ld", long(s[0]), long(s[1]), long(s[2]));
    std::printf("%-34s %8.1f %8.1f\n", shape, cold_gflops(s[0], s[1], s[2], 1),
                cold_gflops(s[0], s[1], s[2], 2));
  }
  struct Chain {
    const char* name;
    int64_t L, M, H, F;
    bool backward;
  };
  const Chain chains[] = {{"BERT-base forward GEMMs (8x128)", 12, 1024, 768, 3072, false},
                          {"BERT-small forward GEMMs (4x256)", 4, 1024, 512, 2048, false},
                          {"BERT-small backward GEMMs (4x256)", 4, 1024, 512, 2048, true},
                          {"BERT-base backward GEMMs (8x128)", 12, 1024, 768, 3072, true}};
  const char* only = std::getenv("GEMM_BENCH_CHAIN");  // a substring of the names to run
  for (const Chain& c : chains) {
    if (only && !std::strstr(c.name, only)) continue;
    const bool one = !std::getenv("GEMM_BENCH_2ONLY");
    const double g1 = one ? chain_gflops(1, c.L, c.M, c.H, c.F, c.backward) : 0;
    std::printf("%-34s %8.1f %8.1f\n", c.name, g1, chain_gflops(2, c.L, c.M, c.H, c.F, c.backward));
  }
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
