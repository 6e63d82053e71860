// Standalone timing harness for the fused attention kernels (not part of the addon).
//   g++ -O3 -std=c++17 -pthread -fno-math-errno -fno-trapping-math -Inative
//       bench/attention_native.cpp native/attention*.cpp native/cpu.cpp native/thread_pool.cpp
//       -o build/attention_bench && build/attention_bench      (one command line)
// Times attention_forward and attention_backward (best of several runs) at the shapes the
// models meet, on 1 and 2 threads, with q/k/v/out/dout in the models' heads-last layout
// ((B, T, heads, D) rows, as split off a linear layer's output). FLOPs are counted as the
// model bench does: forward 4*B*H*Tq*Tk*D, backward 8*B*H*Tq*Tk*D (half the keys under the
// causal rule); the recompute of S in backward is not counted. The FMA limit is read from
// build/fma_peak (bench/fma_native.cpp) when it exists.
//   build/attention_bench [shape-substring] [fwd|bwd] [threads] [seconds]
// With a thread count, only that count runs, for about `seconds` per case (perf record).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace {

struct Shape {
  const char* name;
  int64_t B, H, Hkv, T, D;
  bool causal;
};

const Shape kShapes[] = {
    {"bert-small 4x256", 4, 8, 8, 256, 64, false},
    {"bert-base 8x128", 8, 12, 12, 128, 64, false},
    {"gpt2 4x256 causal", 4, 12, 12, 256, 64, true},
    {"llama 1x512 gqa causal", 1, 32, 4, 512, 64, true},
};

std::vector<float> filled(size_t n, uint32_t seed, float scale) {
  std::vector<float> x(n);
  uint32_t s = seed * 2654435761u + 1;
  for (float& e : x) {
    s = s * 1664525u + 1013904223u;
    e = scale * (float(s >> 8) / float(1 << 24) - 0.5f);
  }
  return x;
}

struct Problem {
  tl::AttentionArgs a;
  std::vector<float> q, k, v, out, lse, dout, dq, dk, dv;
  explicit Problem(const Shape& s) {
    const int64_t B = s.B, H = s.H, Hk = s.Hkv, T = s.T, D = s.D;
    q = filled(B * T * H * D, 1, 2.f), k = filled(B * T * Hk * D, 2, 2.f);
    v = filled(B * T * Hk * D, 3, 2.f), dout = filled(B * T * H * D, 4, 1.f);
    out.resize(q.size()), dq.resize(q.size()), lse.resize(B * H * T);
    dk.resize(k.size()), dv.resize(v.size());
    const tl::AttnRows qr{T * H * D, D, H * D}, kr{T * Hk * D, D, Hk * D};
    a = tl::AttentionArgs{B, H, Hk, T, T, D, 1.f / std::sqrt(float(D)), s.causal, nullptr,
                          nullptr, 1, 0.f, 0, qr, kr, kr, qr, qr, qr, kr, kr};
  }
  void forward() { tl::attention_forward(out.data(), lse.data(), q.data(), k.data(), v.data(), a); }
  void backward() {
    tl::attention_backward(dq.data(), dk.data(), dv.data(), nullptr, dout.data(), q.data(),
                           k.data(), v.data(), out.data(), lse.data(), a);
  }
};

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Best seconds per call over `trials` runs of about 20 ms each.
template <class Fn>
double best_time(Fn fn, int trials) {
  fn();
  double t0 = now();
  fn();
  const double once = std::max(now() - t0, 1e-6);
  const int reps = std::max(1, int(0.02 / once));
  double best = 1e30;
  for (int t = 0; t < trials; ++t) {
    t0 = now();
    for (int r = 0; r < reps; ++r) fn();
    best = std::min(best, (now() - t0) / reps);
  }
  return best;
}

double fma_limit(int threads) {
  FILE* f = popen("build/fma_peak 2>/dev/null", "r");
  if (!f) return 0;
  char line[256] = {};
  const bool got = std::fgets(line, sizeof line, f) != nullptr;
  pclose(f);
  if (!got) return 0;
  const char* key = threads == 1 ? "\"one\":" : "\"all\":";
  const char* at = std::strstr(line, key);
  return at ? std::atof(at + std::strlen(key)) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string only = argc > 1 ? argv[1] : "";
  const std::string dir = argc > 2 ? argv[2] : "";
  const int fixed_threads = argc > 3 ? std::atoi(argv[3]) : 0;
  const double seconds = argc > 4 ? std::atof(argv[4]) : 0;
  double load[3] = {};
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3) load[0] = -1;
    std::fclose(f);
  }
  const double limit1 = fma_limit(1), limit2 = fma_limit(2);
  std::printf("simd level %d, load average %.2f %.2f %.2f, FMA limit %.0f / %.0f GFLOP/s (1 / 2 thr)\n",
              tl::simd_level(), load[0], load[1], load[2], limit1, limit2);
  std::printf("%-26s %4s %4s %9s %9s %7s\n", "shape", "dir", "thr", "ms", "GFLOP/s", "% limit");
  for (const Shape& s : kShapes) {
    if (!only.empty() && std::string(s.name).find(only) == std::string::npos) continue;
    Problem p(s);
    const double full = double(s.B) * s.H * s.T * s.T * s.D * (s.causal ? 0.5 : 1.0);
    for (const char* d : {"fwd", "bwd"}) {
      if (!dir.empty() && dir != d) continue;
      const bool fwd = d[0] == 'f';
      const double flop = (fwd ? 4 : 8) * full;
      for (int threads : {1, 2}) {
        if (fixed_threads && threads != fixed_threads) continue;
        tl::set_num_threads(threads);
        p.forward();
        auto fn = [&] { fwd ? p.forward() : p.backward(); };
        double t;
        if (seconds > 0) {
          const double end = now() + seconds;
          t = 1e30;
          while (now() < end) t = std::min(t, best_time(fn, 1));
        } else {
          t = best_time(fn, 8);
        }
        const double gf = flop / t * 1e-9, limit = threads == 1 ? limit1 : limit2;
        std::printf("%-26s %4s %4d %9.3f %9.1f %6.0f%%\n", s.name, d, threads, t * 1e3, gf,
                    limit > 0 ? 100 * gf / limit : 0.0);
      }
    }
  }
  return 0;
}
