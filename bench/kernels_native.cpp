// Standalone timing harness for the element-wise, random, copy and argmax kernels (not
// part of the addon).
//   g++ -O3 -std=c++17 -pthread -fno-math-errno -fno-trapping-math -Inative \
//       bench/kernels_native.cpp $(ls native/*.cpp | grep -v binding) -o build/kernels_bench
//   build/kernels_bench [simd_level] [threads]
// Prints the best-of-N time per call in ms (the machine is shared: best, not mean) for
// 1024 x 3072 floats, the BERT-base MLP activation the PyTorch comparison uses.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

#include "kernels.h"
#include "thread_pool.h"

namespace {

double best_ms(const std::function<void()>& fn, int trials = 25) {
  fn();
  double best = 1e30;
  for (int t = 0; t < trials; ++t) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = std::min(best, dt);
  }
  return best * 1e3;
}

void report(const char* name, double ms, int64_t n) {
  std::printf("%-34s %8.3f ms  %6.2f ns/elem\n", name, ms, ms * 1e6 / double(n));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) tl::set_simd_level(std::atoi(argv[1]));
  tl::set_num_threads(argc > 2 ? std::atoi(argv[2]) : 1);
  std::printf("simd level %d, %d thread(s)\n", tl::simd_level(), tl::num_threads());
  const int64_t R = 1024, C = 3072, n = R * C;
  std::vector<float> x(n), dy(n), y(n), out(n);
  for (int64_t i = 0; i < n; ++i) {
    x[i] = float(int64_t(i * 2654435761u % 20001) - 10000) * 5e-4f;  // [-5, 5]
    dy[i] = float(int64_t(i * 40503u % 1001) - 500) * 1e-3f;
  }

  const struct { tl::UnaryOp op; const char* name; } unary[] = {
      {tl::U_GELU_ERF, "gelu_erf"}, {tl::U_GELU_TANH, "gelu_tanh"}, {tl::U_SILU, "silu"},
      {tl::U_SIGMOID, "sigmoid"},   {tl::U_TANH, "tanh"},           {tl::U_EXP, "exp"}};
  char label[64];
  for (const auto& u : unary) {
    std::snprintf(label, sizeof label, "%s forward", u.name);
    report(label, best_ms([&] { tl::unary_forward(u.op, out.data(), x.data(), n); }), n);
    std::snprintf(label, sizeof label, "%s backward", u.name);
    tl::unary_forward(u.op, y.data(), x.data(), n);
    report(label, best_ms([&] { tl::unary_backward(u.op, out.data(), dy.data(), x.data(), y.data(), n); }), n);
  }

  report("dropout p=0.1", best_ms([&] { tl::dropout_forward(out.data(), x.data(), n, 0.1f, 42); }), n);
  report("random_uniform", best_ms([&] { tl::random_uniform(out.data(), n, 42, 3, 0.f, 1.f); }), n);
  report("random_normal", best_ms([&] { tl::random_normal(out.data(), n, 42, 3, 0.f, 1.f); }), n);

  {
    const int64_t shape[] = {C, R}, strides[] = {1, C};  // transpose of (R, C)
    report("copy transpose (3072,1024)<-(1024,3072)",
           best_ms([&] { tl::copy_strided(out.data(), x.data(), shape, strides, 2, 4); }), n);
    const int64_t shape1[] = {n}, strides1[] = {1};
    report("copy contiguous",
           best_ms([&] { tl::copy_strided(out.data(), x.data(), shape1, strides1, 1, 4); }), n);
    // (B, T, H, D) -> (B, H, T, D), B 8, T 512, H 12, D 64 (= 3.1M floats)
    const int64_t B = 8, T = 512, H = 12, D = 64;
    const int64_t pshape[] = {B, H, T, D}, pstrides[] = {T * H * D, D, H * D, 1};
    report("copy permute BTHD->BHTD D=64",
           best_ms([&] { tl::copy_strided(out.data(), x.data(), pshape, pstrides, 4, 4); }), n);
    // (B, H, T, D) -> (B, T, H, D) merges heads back
    const int64_t qshape[] = {B, T, H, D}, qstrides[] = {H * T * D, D, T * D, 1};
    report("copy permute BHTD->BTHD D=64",
           best_ms([&] { tl::copy_strided(out.data(), x.data(), qshape, qstrides, 4, 4); }), n);
    // batched transpose of the last two dims: (B*H, D, T) <- (B*H, T, D) (K^T)
    const int64_t kshape[] = {B * H, D, T}, kstrides[] = {T * D, 1, D};
    report("copy batched transpose (96,64,512)",
           best_ms([&] { tl::copy_strided(out.data(), x.data(), kshape, kstrides, 3, 4); }), n);
    std::vector<uint16_t> h(n), ho(n);
    report("copy transpose u16",
           best_ms([&] { tl::copy_strided(ho.data(), h.data(), shape, strides, 2, 2); }), n);
  }

  std::vector<int32_t> idx(std::max(R, C));
  report("argmax rows (1024, 3072)", best_ms([&] { tl::argmax(idx.data(), x.data(), R, C, 1); }), n);
  report("argmax cols (1, 1024, 3072)", best_ms([&] { tl::argmax(idx.data(), x.data(), 1, R, C); }), n);
  report("argmax (32, 32000) vocab", best_ms([&] { tl::argmax(idx.data(), x.data(), 32, 32000, 1); }),
         32 * 32000);
  return 0;
}
