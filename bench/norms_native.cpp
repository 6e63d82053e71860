// Standalone timing harness for the column sums (reduce over rows) and the LayerNorm /
// RMSNorm kernels at the shapes a BERT-base step (8x128 tokens) and the Llama slice meet
// (not part of the addon).
//   g++ -O3 -std=c++17 -pthread -fno-math-errno -fno-trapping-math -Inative
//       bench/norms_native.cpp native/reduce.cpp native/norm*.cpp native/cpu.cpp
//       native/thread_pool.cpp -o /tmp/norms_bench && /tmp/norms_bench      (one command line)
//   /tmp/norms_bench [case-substring] [threads] [simd_level] [cold]
// Prints, per case and thread count, the best ms per call and the GB/s of the kernel's
// compulsory traffic (each input read once, each output written once), plus the best
// process CPU ms per call (excludes the time other processes hold the cores: the machine
// is shared). "warm": the same buffers every call, so they sit in L2/L3 as in a step where
// the producer just wrote them; "cold": a 96 MiB sweep before each call evicts them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace {

std::vector<float> filled(size_t n, uint32_t seed, float scale, float offset = 0.f) {
  std::vector<float> x(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float& e : x) {
    s = s * 1664525u + 1013904223u;
    e = offset + scale * (float(s >> 8) / float(1 << 24) - 0.5f);
  }
  return x;
}

double wall() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
double cpu() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

std::vector<char> g_sweep(96 << 20);
void evict() {
  for (size_t i = 0; i < g_sweep.size(); i += 64) g_sweep[i]++;
}

struct Timing {
  double wall_s, cpu_s;  // best per call
};

// Best per-call times over `trials` batches of ~10 ms (warm) or single calls after an
// eviction (cold).
Timing best_time(const std::function<void()>& fn, bool cold, int trials) {
  fn();
  double t0 = wall();
  fn();
  const double once = std::max(wall() - t0, 1e-6);
  const int reps = cold ? 1 : std::max(1, int(0.01 / once));
  Timing best{1e30, 1e30};
  for (int t = 0; t < trials; ++t) {
    if (cold) evict();
    const double w0 = wall(), c0 = cpu();
    for (int r = 0; r < reps; ++r) fn();
    best.wall_s = std::min(best.wall_s, (wall() - w0) / reps);
    best.cpu_s = std::min(best.cpu_s, (cpu() - c0) / reps);
  }
  return best;
}

struct Case {
  std::string name;
  double bytes;  // compulsory traffic per call
  std::function<void()> fn;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  const int fixed_threads = argc > 2 ? std::atoi(argv[2]) : 0;
  if (argc > 3) tl::set_simd_level(std::atoi(argv[3]));
  const bool cold = argc > 4 && std::string(argv[4]) == "cold";
  double load[3] = {};
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
    std::fclose(f);
  }
  std::printf("simd level %d, %s buffers, load average %.2f %.2f %.2f\n", tl::simd_level(),
              cold ? "cold" : "warm", load[0], load[1], load[2]);

  // BERT-base 8x128: bias gradients of (1024, 768) and (1024, 3072); LayerNorm over 768.
  // Llama slice 1x512, hidden 2048: RMSNorm.
  const int64_t N = 1024, Cb = 768, Cf = 3072, Nl = 512, Cl = 2048;
  std::vector<float> g768 = filled(N * Cb, 1, 1.f), g3072 = filled(N * Cf, 2, 1.f);
  std::vector<float> sum_out(N * Cb / 8);
  std::vector<float> x = filled(N * Cl, 3, 4.f, 0.3f), dy = filled(N * Cl, 4, 1.f);
  std::vector<float> w = filled(Cl, 5, 0.5f, 1.f), b = filled(Cl, 6, 0.5f);
  std::vector<float> y(N * Cl), dx(N * Cl), mean(N), rstd(N), dw(Cl), db(Cl);
  const double f = sizeof(float);

  std::vector<Case> cases = {
      {"colsum 1024x768", f * N * Cb,
       [&] { tl::reduce(tl::R_SUM, sum_out.data(), g768.data(), 1, N, Cb); }},
      {"colsum 1024x3072", f * N * Cf,
       [&] { tl::reduce(tl::R_SUM, sum_out.data(), g3072.data(), 1, N, Cf); }},
      {"colsum 8x98304", f * N * Cb,  // position-embedding gradient: sum over the batch
       [&] { tl::reduce(tl::R_SUM, sum_out.data(), g768.data(), 1, 8, N * Cb / 8); }},
      {"rowsum 1024x3072 (read)", f * N * Cf,  // row sums: a contiguous-read reference
       [&] { tl::reduce(tl::R_SUM, sum_out.data(), g3072.data(), N, Cf, 1); }},
      {"layernorm fwd 1024x768", f * (2 * N * Cb + 2 * Cb + 2 * N),
       [&] { tl::layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, Cb, 1e-12f); }},
      {"layernorm bwd 1024x768", f * (3 * N * Cb + 3 * Cb + 2 * N),
       [&] { tl::layer_norm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), N, Cb); }},
      {"layernorm bwd 128x768 (L2)", f * (3 * 128 * Cb + 3 * Cb + 2 * 128),  // a compute reference
       [&] { tl::layer_norm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(), 128, Cb); }},
      {"rmsnorm fwd 512x2048", f * (2 * Nl * Cl + Cl + Nl),
       [&] { tl::rms_norm_forward(y.data(), rstd.data(), x.data(), w.data(), Nl, Cl, 1e-5f); }},
      {"rmsnorm bwd 512x2048", f * (3 * Nl * Cl + 2 * Cl + Nl),
       [&] { tl::rms_norm_backward(dx.data(), dw.data(), dy.data(), x.data(), w.data(), rstd.data(), Nl, Cl); }},
  };
  // The backward cases need the forward statistics of the same rows.
  tl::layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, Cb, 1e-12f);

  std::printf("%-28s %4s %9s %9s %9s\n", "case", "thr", "ms", "GB/s", "cpu ms");
  for (const Case& c : cases) {
    if (!only.empty() && c.name.find(only) == std::string::npos) continue;
    if (c.name.rfind("rmsnorm bwd", 0) == 0)
      tl::rms_norm_forward(y.data(), rstd.data(), x.data(), w.data(), Nl, Cl, 1e-5f);
    if (c.name.rfind("layernorm bwd", 0) == 0)
      tl::layer_norm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), b.data(), N, Cb, 1e-12f);
    for (int threads : {1, 2}) {
      if (fixed_threads && threads != fixed_threads) continue;
      tl::set_num_threads(threads);
      const Timing t = best_time(c.fn, cold, cold ? 40 : 15);
      std::printf("%-28s %4d %9.4f %9.1f %9.4f\n", c.name.c_str(), threads, t.wall_s * 1e3,
                  c.bytes / t.wall_s * 1e-9, t.cpu_s * 1e3);
    }
  }
  return 0;
}
